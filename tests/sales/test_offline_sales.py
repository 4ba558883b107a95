"""Sales the terminal made offline and sent later (``offline: true``): a line whose stock went
short meanwhile is sold below zero and the sale flagged, never refused; the provisional number
the offline receipt printed stays on the sale; the checkout stays idempotent on the UUID."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.test import Client
from django_tenants.utils import schema_context

from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.models import Product
from tenant_apps.inventory.models import AlertKind, Location, StockAlert
from tenant_apps.ledger.models import JournalEntry
from tenant_apps.sales.models import Register, Sale
from tests.support.sales import cart, checkout


def test_offline_sale_short_of_stock_is_sold_below_zero_and_flagged(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
    stock_of: Callable[..., Any],
) -> None:
    milk = make_product(name="Milk", price="60", cost="40")
    receive(milk, store, "1", cost="40")
    body = cart(till, (milk.pk, "3"), offline=True, device_number="D7F2-000012")

    sold = checkout(cashier_client, body)
    again = checkout(cashier_client, body)

    assert sold.status_code == 201, sold.content
    assert again.status_code == 200
    data = sold.json()
    assert data["status"] == "completed"
    assert data["short_stock_flagged"] is True
    assert data["device_number"] == "D7F2-000012"
    assert again.json()["receipt_number"] == data["receipt_number"] == 1
    assert stock_of(milk, store) == (Decimal(-2), Decimal(0))
    with schema_context(business.schema_name):
        assert Sale.objects.count() == 1
        assert JournalEntry.objects.filter(reference=data["uuid"]).count() == 1
        assert StockAlert.objects.filter(kind=AlertKind.NEGATIVE_STOCK).count() == 1


def test_offline_sale_with_stock_is_not_flagged(
    till: Register,
    open_shift: int,
    cashier_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
) -> None:
    milk = make_product(name="Milk", price="60", cost="40")
    receive(milk, store, "5", cost="40")

    sold = checkout(cashier_client, cart(till, (milk.pk, "3"), offline=True))

    assert sold.status_code == 201, sold.content
    assert sold.json()["short_stock_flagged"] is False


def test_online_sale_short_of_stock_is_still_refused(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
    stock_of: Callable[..., Any],
) -> None:
    milk = make_product(name="Milk", price="60", cost="40")
    receive(milk, store, "1", cost="40")

    refused = checkout(cashier_client, cart(till, (milk.pk, "3")))

    assert refused.status_code == 409
    assert stock_of(milk, store) == (Decimal(1), Decimal(0))
    with schema_context(business.schema_name):
        assert not Sale.objects.exists()


def test_offline_sale_cannot_wait_for_mobile_money(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
) -> None:
    milk = make_product(name="Milk", price="60", cost="40")
    receive(milk, store, "5", cost="40")
    tenders = [{"method": "mpesa", "amount": "60", "payer": "0712345670"}]

    refused = checkout(cashier_client, cart(till, (milk.pk, "1"), tenders=tenders, offline=True))

    assert refused.status_code == 400
    assert refused.json()["error"]["fields"]["offline"][0]["code"] == "not_offline"
    with schema_context(business.schema_name):
        assert not Sale.objects.exists()
