"""Reorder suggestions from the latest forecasts, and the one action that drafts the purchase
orders they call for.

For each product and location: over the supplier's lead time (capped at the forecast horizon)
the **lead-time demand** is the sum of the daily p50 forecasts and the **safety stock** the
sum of p90 minus p50 (what a bad-luck stretch adds); what is needed is their sum less what is
available (on hand, not reserved) and already on order to that location; the quantity to
order is that, rounded up to the product's pack (its largest pack barcode: a box of 12). The
supplier is the one the product was last ordered from; a product never ordered has no
supplier, is listed, and is left out of the drafts.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Max, Sum

from saas_platform.list_filters import filter_given
from tenant_apps.catalog.models import Barcode, Product
from tenant_apps.forecasting.models import ForecastRun, ProductForecast, RunStatus
from tenant_apps.inventory.models import Location, StockLevel
from tenant_apps.purchasing.models import (
    RECEIVABLE_STATUSES,
    PurchaseOrder,
    PurchaseOrderLine,
    Supplier,
)
from tenant_apps.purchasing.services import OrderLineInput, purchase_order_create

DEFAULT_LEAD_DAYS = 7


@dataclass(frozen=True)
class ReorderSuggestion:
    product_id: int
    product_name: str
    location_id: int
    location_name: str
    supplier_id: int | None
    supplier_name: str
    lead_time_days: int
    available: Decimal
    on_order: Decimal
    lead_time_demand: Decimal
    safety_stock: Decimal
    pack_size: Decimal
    quantity: Decimal


def latest_run() -> ForecastRun | None:
    return ForecastRun.objects.filter(status=RunStatus.DONE).order_by("-finished_at").first()


def _last_suppliers(product_id: int | None) -> dict[int, Supplier]:
    """Each product's (or the one's) most recent supplier (the order it was last on)."""
    lines = (
        filter_given(PurchaseOrderLine.objects.all(), product_id=product_id)
        .select_related("order__supplier")
        .order_by("product_id", "-order__created_at", "-order_id")
        .distinct("product_id")
    )
    return {line.product_id: line.order.supplier for line in lines}


def _packs(product_id: int | None) -> dict[int, Decimal]:
    barcodes = filter_given(Barcode.objects.all(), product_id=product_id)
    rows = barcodes.values("product_id").annotate(pack=Max("pack_quantity"))
    return {row["product_id"]: row["pack"] for row in rows}


def _available(product_id: int | None) -> dict[tuple[int, int], Decimal]:
    levels = filter_given(StockLevel.objects.all(), product_id=product_id)
    rows = levels.values("product_id", "location_id", "quantity", "reserved")
    return {(r["product_id"], r["location_id"]): r["quantity"] - r["reserved"] for r in rows}


def _on_order(product_id: int | None) -> dict[tuple[int, int], Decimal]:
    rows = (
        filter_given(PurchaseOrderLine.objects.all(), product_id=product_id)
        .filter(order__status__in=RECEIVABLE_STATUSES)
        .values("product_id", location_id=F("order__destination_id"))
        .annotate(open=Sum(F("quantity_ordered") - F("quantity_received")))
    )
    return {(r["product_id"], r["location_id"]): r["open"] for r in rows}


def reorder_suggestions(
    *, location_id: int | None = None, product_id: int | None = None
) -> list[ReorderSuggestion]:
    """What to order now, by the latest forecasts (of one location or product when given);
    empty before the first run."""
    run = latest_run()
    if run is None:
        return []
    forecasts = ProductForecast.objects.filter(run=run).order_by("product_id", "location_id", "day")
    forecasts = filter_given(forecasts, location_id=location_id, product_id=product_id)
    daily: dict[tuple[int, int], list[tuple[Decimal, Decimal]]] = defaultdict(list)
    for product, location, p50, p90 in forecasts.values_list(
        "product_id", "location_id", "p50", "p90"
    ):
        daily[(product, location)].append((p50, p90))
    # Read for the one product when the caller names it (a product's page), not for all.
    suppliers, packs = _last_suppliers(product_id), _packs(product_id)
    available, on_order = _available(product_id), _on_order(product_id)
    names = dict(Product.objects.filter(pk__in={p for p, _ in daily}).values_list("pk", "name"))
    places = dict(Location.objects.values_list("pk", "name"))
    suggestions = []
    for (product, location), days in sorted(daily.items()):
        supplier = suppliers.get(product)
        lead = min(supplier.lead_time_days if supplier else DEFAULT_LEAD_DAYS, len(days))
        demand = sum((p50 for p50, _ in days[:lead]), Decimal(0))
        high = sum((p90 for _, p90 in days[:lead]), Decimal(0))
        pack = packs.get(product) or Decimal(1)
        have = available.get((product, location), Decimal(0))
        coming = on_order.get((product, location)) or Decimal(0)
        need = demand + (high - demand) - have - coming
        if need <= 0:
            continue
        quantity = Decimal(math.ceil(need / pack)) * pack
        suggestions.append(
            ReorderSuggestion(
                product_id=product,
                product_name=names.get(product, ""),
                location_id=location,
                location_name=places.get(location, ""),
                supplier_id=supplier.pk if supplier else None,
                supplier_name=supplier.name if supplier else "",
                lead_time_days=lead,
                available=have,
                on_order=coming,
                lead_time_demand=demand,
                safety_stock=high - demand,
                pack_size=pack,
                quantity=quantity,
            )
        )
    return suggestions


@transaction.atomic
def reorder_draft_orders(*, actor: Any, location_id: int | None = None) -> list[PurchaseOrder]:
    """Draft purchase orders for the suggestions, one per supplier and destination, through
    the purchasing service (drafts: nothing is sent to a supplier until an order is placed)."""
    grouped: dict[tuple[int, int], list[ReorderSuggestion]] = defaultdict(list)
    for suggestion in reorder_suggestions(location_id=location_id):
        if suggestion.supplier_id is not None:
            grouped[(suggestion.supplier_id, suggestion.location_id)].append(suggestion)
    run = latest_run()
    return [
        purchase_order_create(
            supplier_id=supplier,
            destination_id=location,
            lines=[OrderLineInput(product_id=s.product_id, quantity=s.quantity) for s in lines],
            actor=actor,
            note=f"Drafted from forecast run {run.pk if run else ''} (reorder suggestions).",
        )
        for (supplier, location), lines in sorted(grouped.items())
    ]
