"""Customers at the till: wholesale prices, points earned and spent, store credit from a return."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.test import Client
from django_tenants.utils import schema_context
from moneyed import Money

from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.models import PriceList, Product, ProductPrice
from tenant_apps.customers.models import Customer
from tenant_apps.customers.services import customer_create, loyalty_settings_set
from tenant_apps.inventory.models import Location
from tenant_apps.ledger.models import JournalEntry
from tenant_apps.sales.models import Register
from tests.support.sales import amount, cart, checkout
from tests.support.urls import tenant_path


def _customer(business: Tenant, pk: int) -> Customer:
    with schema_context(business.schema_name):
        return Customer.objects.get(pk=pk)


def test_wholesale_customer_gets_the_tier_price_for_the_quantity(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
) -> None:
    sugar = make_product(name="Sugar 2kg", price="300")
    receive(sugar, store, "50")
    with schema_context(business.schema_name):
        wholesale, _ = PriceList.objects.get_or_create(code="wholesale", defaults={"name": "W"})
        ProductPrice.objects.create(
            price_list=wholesale, product=sugar, price=Money(270, "KES"), min_quantity=10
        )
        kiosk = customer_create(name="Kiosk", price_list_id=wholesale.pk)

    few = checkout(cashier_client, cart(till, (sugar.pk, "2"), customer=kiosk.pk))
    many = checkout(cashier_client, cart(till, (sugar.pk, "10"), customer=kiosk.pk))
    walk_in = checkout(cashier_client, cart(till, (sugar.pk, "10")))

    assert amount(few.json()["lines"][0]["unit_price"]) == Decimal("300")
    assert amount(many.json()["lines"][0]["unit_price"]) == Decimal("270")
    assert amount(walk_in.json()["lines"][0]["unit_price"]) == Decimal("300")


def test_points_are_earned_on_spend_and_spent_as_a_tender(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
) -> None:
    bag = make_product(name="Bag", price="1000")
    receive(bag, store, "5")
    with schema_context(business.schema_name):
        loyalty_settings_set(
            enabled=True, points_per_unit=Decimal("0.01"), point_value=Money(1, "KES")
        )
        regular = customer_create(name="Regular", phone="0712000999")

    earned = checkout(cashier_client, cart(till, (bag.pk, "3"), customer=regular.pk))
    assert earned.status_code == 201, earned.content
    assert _customer(business, regular.pk).loyalty_points == 30

    spent = checkout(
        cashier_client,
        cart(
            till,
            (bag.pk, "1"),
            customer=regular.pk,
            tenders=[{"method": "loyalty", "points": 20}, {"method": "cash", "amount": "1000"}],
        ),
    )
    too_many = checkout(
        cashier_client,
        cart(
            till,
            (bag.pk, "1"),
            customer=regular.pk,
            tenders=[{"method": "loyalty", "points": 500}, {"method": "cash", "amount": "1000"}],
        ),
    )

    assert spent.status_code == 201, spent.content
    assert amount(spent.json()["change_due"]) == Decimal("20.00")
    # 30 earned, 20 spent, and 9 earned on the 980 paid with money (not on what points paid).
    assert _customer(business, regular.pk).loyalty_points == 30 - 20 + 9
    assert too_many.status_code in (400, 409)
    with schema_context(business.schema_name):
        entry = JournalEntry.objects.get(source="sale", reference=spent.json()["uuid"])
        debits = {
            str(ln.account.role): ln.debit.amount for ln in entry.lines.select_related("account")
        }
    assert debits["discounts"] == Decimal("20.00")
    assert debits["cash_drawer"] == Decimal("980.00")


def test_refund_to_store_credit_is_spent_on_the_next_sale(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    owner_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
) -> None:
    lamp = make_product(name="Lamp", price="600")
    receive(lamp, store, "5")
    with schema_context(business.schema_name):
        buyer = customer_create(name="Buyer")  # no credit limit: cash only, or store credit
    sale = checkout(cashier_client, cart(till, (lamp.pk, "1"), customer=buyer.pk)).json()

    returned = owner_client.post(
        tenant_path("sales:sale-return-list", sale_uuid=sale["uuid"]),
        {
            "uuid": str(uuid.uuid4()),
            "lines": [{"line": sale["lines"][0]["id"], "quantity": "1"}],
            "refund_method": "store_credit",
            "reason": "Wrong colour",
        },
        content_type="application/json",
    )
    assert returned.status_code == 201, returned.content
    assert _customer(business, buyer.pk).balance.amount == Decimal("-600")

    spend: Any = checkout(
        cashier_client,
        cart(
            till,
            (lamp.pk, "1"),
            customer=buyer.pk,
            tenders=[{"method": "account", "amount": "600"}],
        ),
    )
    overspend = checkout(
        cashier_client,
        cart(
            till,
            (lamp.pk, "1"),
            customer=buyer.pk,
            tenders=[{"method": "account", "amount": "600"}],
        ),
    )

    assert spend.status_code == 201, spend.content
    assert _customer(business, buyer.pk).balance.amount == Decimal("0")
    assert overspend.status_code == 409
    assert overspend.json()["error"]["code"] == "credit_limit_exceeded"
