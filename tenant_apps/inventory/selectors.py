from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, QuerySet, Sum

from saas_platform.changes import changed_since
from saas_platform.errors import NotFound
from saas_platform.list_filters import filter_given
from tenant_apps.inventory.models import (
    Batch,
    Location,
    Reservation,
    StockAlert,
    StockCount,
    StockLevel,
    StockMovement,
    Transfer,
)


def location_list(*, active_only: bool = False) -> QuerySet[Location]:
    locations = Location.objects.all()
    return locations.filter(is_active=True) if active_only else locations


def stock_level_list(
    *,
    location_id: int | None = None,
    product_id: int | None = None,
    low_only: bool = False,
    updated_since: datetime | None = None,
) -> QuerySet[StockLevel]:
    levels = StockLevel.objects.select_related("product", "location").order_by(
        "location__code", "product__name", "pk"
    )
    levels = filter_given(levels, location_id=location_id, product_id=product_id)
    if low_only:
        levels = levels.filter(
            low_stock_threshold__isnull=False, quantity__lte=F("low_stock_threshold")
        )
    return changed_since(levels, updated_since)


def movement_list(
    *, product_id: int | None = None, location_id: int | None = None, reason: str = ""
) -> QuerySet[StockMovement]:
    movements = StockMovement.objects.select_related("product", "location", "created_by")
    return filter_given(movements, product_id=product_id, location_id=location_id, reason=reason)


def transfer_list() -> QuerySet[Transfer]:
    return Transfer.objects.select_related("source", "destination").prefetch_related(
        "lines__product"
    )


def count_get(count_id: int) -> StockCount | None:
    return (
        StockCount.objects.select_related("location")
        .prefetch_related("lines__product")
        .filter(pk=count_id)
        .first()
    )


def reservation_list(*, active_only: bool = False) -> QuerySet[Reservation]:
    reservations = Reservation.objects.select_related("product", "location")
    return reservations.filter(status="active") if active_only else reservations


def alert_list(*, status: str = "") -> QuerySet[StockAlert]:
    alerts = StockAlert.objects.select_related("product", "location", "batch")
    return alerts.filter(status=status) if status else alerts


@dataclass(frozen=True)
class ValuationRow:
    product_id: int
    product_name: str
    location_id: int
    quantity: Decimal
    value: Decimal


def stock_valuation(*, location_id: int | None = None) -> list[ValuationRow]:
    """What the stock on hand cost, batch by batch (FIFO cost), per product and location."""
    batches = Batch.objects.filter(quantity_remaining__gt=0)
    if location_id:
        batches = batches.filter(location_id=location_id)
    line_value = ExpressionWrapper(
        F("quantity_remaining") * F("unit_cost"), output_field=DecimalField()
    )
    rows = (
        batches.values("product_id", "product__name", "location_id")
        .annotate(quantity=Sum("quantity_remaining"), value=Sum(line_value))
        .order_by("location_id", "product__name")
    )
    return [
        ValuationRow(
            product_id=row["product_id"],
            product_name=row["product__name"],
            location_id=row["location_id"],
            quantity=row["quantity"],
            value=row["value"],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class Drift:
    product_id: int
    location_id: int
    level: Decimal
    movements: Decimal
    batches: Decimal


def stock_drift() -> list[Drift]:
    """Stock levels that differ from the sum of their movements or of their open batches."""
    movement_sums = {
        (r["product_id"], r["location_id"]): r["total"]
        for r in StockMovement.objects.values("product_id", "location_id").annotate(
            total=Sum("quantity")
        )
    }
    batch_sums = {
        (r["product_id"], r["location_id"]): r["total"]
        for r in Batch.objects.values("product_id", "location_id").annotate(
            total=Sum("quantity_remaining")
        )
    }
    levels = {
        (lvl.product_id, lvl.location_id): lvl.quantity
        for lvl in StockLevel.objects.only("product_id", "location_id", "quantity")
    }
    drifts = []
    for key in sorted(set(levels) | set(movement_sums) | set(batch_sums)):
        level = levels.get(key, Decimal(0))
        moved = movement_sums.get(key) or Decimal(0)
        held = batch_sums.get(key) or Decimal(0)
        if not (level == moved == held):
            drifts.append(Drift(key[0], key[1], level, moved, held))
    return drifts


def transfer_get(transfer_id: int) -> Transfer:
    transfer = transfer_list().filter(pk=transfer_id).first()
    if transfer is None:
        raise NotFound("No such transfer.")
    return transfer


def location_find(location_id: int) -> Location | None:
    return Location.objects.filter(pk=location_id).first()
