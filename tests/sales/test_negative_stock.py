"""A business that sells below zero: the sale goes through, the level owes, an alert is raised,
and the next delivery pays the debt back first so levels still equal their batches."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.test import Client
from django_tenants.utils import schema_context

from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.models import Product
from tenant_apps.inventory.models import AlertKind, Location, StockAlert
from tenant_apps.inventory.selectors import stock_drift
from tenant_apps.sales.models import Register, SalesSettings
from tests.support.sales import amount, cart, checkout


def _alerts(business: Tenant) -> list[str]:
    with schema_context(business.schema_name):
        return list(
            StockAlert.objects.filter(kind=AlertKind.NEGATIVE_STOCK)
            .order_by("pk")
            .values_list("status", flat=True)
        )


def test_sale_below_zero_when_allowed_then_a_receipt_settles_it(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
    stock_of: Callable[..., Any],
) -> None:
    maize = make_product(name="Maize flour", price="150", cost="100")
    receive(maize, store, "1", cost="90")
    refused = checkout(cashier_client, cart(till, (maize.pk, "3")))
    assert refused.status_code == 409
    with schema_context(business.schema_name):
        SalesSettings.objects.update_or_create(pk=1, defaults={"allow_negative_stock": True})

    sold = checkout(cashier_client, cart(till, (maize.pk, "3")))

    assert sold.status_code == 201, sold.content
    # One unit from the batch at 90, two sold short at the standard cost of 100.
    with schema_context(business.schema_name):
        from tenant_apps.sales.models import Sale

        assert Sale.objects.get(uuid=sold.json()["uuid"]).cost_total.amount == Decimal("290")
        assert stock_drift() == []
    assert amount(sold.json()["total"]) == Decimal("450.00")
    assert stock_of(maize, store) == (Decimal(-2), Decimal(0))
    assert _alerts(business) == ["active"]

    receive(maize, store, "5", cost="95")

    assert stock_of(maize, store) == (Decimal(3), Decimal(0))
    assert _alerts(business) == ["resolved"]
    with schema_context(business.schema_name):
        assert stock_drift() == []
