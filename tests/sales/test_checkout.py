"""Checkout through the API: amounts, stock, books, receipt numbers, refusals."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.test import Client
from django_tenants.utils import schema_context

from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.models import Product, TaxRate
from tenant_apps.inventory.models import Location, StockMovement
from tenant_apps.ledger.models import JournalEntry
from tenant_apps.sales.models import Register, Sale
from tests.support.sales import amount, cart, checkout
from tests.support.urls import tenant_path


def _entry_lines(business: Tenant, sale_uuid: str) -> dict[str, tuple[Decimal, Decimal]]:
    with schema_context(business.schema_name):
        entry = JournalEntry.objects.get(source="sale", reference=sale_uuid)
        return {
            str(line.account.role): (line.debit.amount, line.credit.amount)
            for line in entry.lines.select_related("account")
        }


def test_cash_sale_takes_stock_books_and_numbers(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
    stock_of: Callable[..., Any],
) -> None:
    with schema_context(business.schema_name):
        vat = TaxRate.objects.create(name="VAT 16", rate=Decimal("16"))
    soap = make_product(name="Soap", price="116.00", cost="60", tax_rate=vat)
    receive(soap, store, "5", cost="60")

    response = checkout(
        cashier_client,
        cart(till, (soap.pk, "2"), tenders=[{"method": "cash", "amount": "250"}]),
    )

    assert response.status_code == 201, response.content
    sale = response.json()
    assert sale["status"] == "completed"
    assert sale["receipt"] == "T1-000001"
    assert amount(sale["total"]) == Decimal("232.00")
    assert amount(sale["tax_total"]) == Decimal("32.00")  # prices include 16% VAT
    assert amount(sale["change_due"]) == Decimal("18.00")
    assert stock_of(soap, store) == (Decimal(3), Decimal(0))
    assert _entry_lines(business, sale["uuid"]) == {
        "cash_drawer": (Decimal("232.00"), Decimal(0)),
        "sales_revenue": (Decimal(0), Decimal("200.00")),
        "vat_payable": (Decimal(0), Decimal("32.00")),
        "cost_of_goods_sold": (Decimal("120.00"), Decimal(0)),
        "inventory": (Decimal(0), Decimal("120.00")),
    }


def test_same_uuid_twice_is_one_sale_and_one_decrement(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
    stock_of: Callable[..., Any],
) -> None:
    tea = make_product(name="Tea", price="50")
    receive(tea, store, "10")
    body = cart(till, (tea.pk, "1"))

    first = checkout(cashier_client, body)
    second = checkout(cashier_client, body)

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["uuid"] == second.json()["uuid"]
    assert second.json()["receipt"] == first.json()["receipt"]
    assert stock_of(tea, store) == (Decimal(9), Decimal(0))
    with schema_context(business.schema_name):
        assert Sale.objects.count() == 1
        assert StockMovement.objects.filter(reference=body["uuid"]).count() == 1


def test_same_uuid_with_another_cart_is_refused(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
    stock_of: Callable[..., Any],
) -> None:
    tea = make_product(name="Tea", price="50")
    receive(tea, store, "10")
    body = cart(till, (tea.pk, "1"))
    assert checkout(cashier_client, body).status_code == 201

    response = checkout(cashier_client, {**body, "lines": [{"product": tea.pk, "quantity": "3"}]})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_mismatch"
    assert stock_of(tea, store) == (Decimal(9), Decimal(0))


def test_short_stock_is_409_with_the_short_lines_and_changes_nothing(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
    stock_of: Callable[..., Any],
) -> None:
    bread = make_product(name="Bread", price="60")
    milk = make_product(name="Milk", price="70")
    receive(bread, store, "5")
    receive(milk, store, "1")

    response = checkout(cashier_client, cart(till, (bread.pk, "2"), (milk.pk, "3")))

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "insufficient_stock"
    assert list(error["fields"]) == ["lines[1].quantity"]
    assert "Only 1 of Milk" in error["fields"]["lines[1].quantity"][0]["message"]
    assert stock_of(bread, store) == (Decimal(5), Decimal(0))
    with schema_context(business.schema_name):
        assert Sale.objects.count() == 0
        assert JournalEntry.objects.filter(source="sale").count() == 0


def test_underpaid_and_bad_input_are_400_and_change_nothing(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
    stock_of: Callable[..., Any],
) -> None:
    jam = make_product(name="Jam", price="300")
    receive(jam, store, "4")

    underpaid = checkout(
        cashier_client, cart(till, (jam.pk, "1"), tenders=[{"method": "cash", "amount": "200"}])
    )
    unknown = checkout(cashier_client, cart(till, (999999, "1")))
    negative = checkout(cashier_client, cart(till, (jam.pk, "-1")))
    junk = cashier_client.post(
        tenant_path("sales:sale-checkout"), "{not json", content_type="application/json"
    )

    assert underpaid.status_code == 400
    assert underpaid.json()["error"]["fields"]["tenders"][0]["code"] == "underpaid"
    # in the currency's minor unit, as a person reads money (not "100.0000")
    assert underpaid.json()["error"]["message"] == "100.00 KES is still to be paid."
    assert unknown.status_code == 400
    assert "lines[0].product" in unknown.json()["error"]["fields"]
    assert negative.status_code == 400
    assert junk.status_code == 400
    assert stock_of(jam, store) == (Decimal(4), Decimal(0))
    with schema_context(business.schema_name):
        assert Sale.objects.count() == 0


def test_cashier_may_not_override_prices_or_discount_by_hand(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    owner_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
) -> None:
    rice = make_product(name="Rice", price="200")
    receive(rice, store, "10")
    body = cart(till, (rice.pk, "1"))
    body["lines"][0]["unit_price"] = "150"

    refused = checkout(cashier_client, body)
    allowed = checkout(owner_client, body)

    assert refused.status_code == 403
    assert allowed.status_code == 201
    assert amount(allowed.json()["total"]) == Decimal("150.00")
    assert allowed.json()["lines"][0]["price_overridden"] is True


def test_exclusive_tax_cart_discount_shares_add_up(
    business: Tenant,
    till: Register,
    open_shift: int,
    owner_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
) -> None:
    with schema_context(business.schema_name):
        Tenant.objects.filter(pk=business.pk).update(prices_include_tax=False)
        vat = TaxRate.objects.create(name="VAT 16", rate=Decimal("16"))
    business.refresh_from_db()
    a = make_product(name="A", price="33.33", tax_rate=vat)
    b = make_product(name="B", price="66.67", tax_rate=vat)
    receive(a, store, "3")
    receive(b, store, "3")

    response = checkout(owner_client, cart(till, (a.pk, "1"), (b.pk, "1"), cart_discount="10.00"))

    assert response.status_code == 201, response.content
    sale = response.json()
    lines = sale["lines"]
    assert sum(amount(line["discount"]) for line in lines) == Decimal("10.00")
    assert amount(sale["subtotal"]) - amount(sale["discount_total"]) == Decimal("90.00")
    # Tax is added per line on the discounted amount and rounded per line.
    assert [amount(line["tax"]) for line in lines] == [Decimal("4.80"), Decimal("9.60")]
    assert amount(sale["total"]) == Decimal("104.40")
    entry = _entry_lines(business, sale["uuid"])
    assert entry["discounts"] == (Decimal("10.00"), Decimal(0))
    assert entry["sales_revenue"] == (Decimal(0), Decimal("100.00"))


def test_no_sale_without_an_open_shift(
    business: Tenant,
    till: Register,
    cashier_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
) -> None:
    salt = make_product(name="Salt", price="20")
    receive(salt, store, "2")

    response = checkout(cashier_client, cart(till, (salt.pk, "1")))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_open_shift"


def test_a_completed_sale_is_announced_once_for_usage_billing(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
    django_capture_on_commit_callbacks: Any,
) -> None:
    from tenant_apps.sales.services.completion import sale_completed

    heard: list[tuple[int, str]] = []

    def listener(sender: Any, sale_id: int, schema: str, **kwargs: Any) -> None:
        heard.append((sale_id, schema))

    gum = make_product(name="Gum", price="10")
    receive(gum, store, "5")
    body = cart(till, (gum.pk, "1"))
    sale_completed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert checkout(cashier_client, body).status_code == 201
            assert checkout(cashier_client, body).status_code == 200
            parked = cart(till, (gum.pk, "1"), tenders=[], park=True)
            assert checkout(cashier_client, parked).status_code == 201
    finally:
        sale_completed.disconnect(listener)

    with schema_context(business.schema_name):
        sale_id = Sale.objects.get(uuid=body["uuid"]).pk
    assert heard == [(sale_id, business.schema_name)]


def test_another_business_can_neither_see_nor_sell_through_this_one(
    business: Tenant,
    make_tenant: Callable[..., Tenant],
    till: Register,
    open_shift: int,
    cashier_client: Client,
    jwt_client: Callable[[Tenant, str], Client],
    tenant_client: Callable[[Tenant], Client],
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
    stock_of: Callable[..., Any],
) -> None:
    tea = make_product(name="Tea", price="50")
    receive(tea, store, "5")
    sale = checkout(cashier_client, cart(till, (tea.pk, "1"))).json()
    rival = make_tenant(business_name="Rival Shop")
    rival_owner = jwt_client(rival, rival.owner_email)

    peek = rival_owner.get(tenant_path("sales:sale-detail", sale_uuid=sale["uuid"]))
    sale_receipt_path = tenant_path("sales:sale-receipt", sale_uuid=sale["uuid"]) + "?format=json"
    receipt = rival_owner.get(sale_receipt_path)
    listed = rival_owner.get(tenant_path("sales:sale-list")).json()["results"]
    # This business's cashier token, replayed at the rival's host.
    replayed = tenant_client(rival)
    replayed.defaults["HTTP_AUTHORIZATION"] = cashier_client.defaults["HTTP_AUTHORIZATION"]
    sold_there = checkout(replayed, cart(till, (tea.pk, "1")))

    assert peek.status_code == 404
    assert receipt.status_code == 404
    assert listed == []
    assert sold_there.status_code == 401
    assert stock_of(tea, store) == (Decimal(4), Decimal(0))
