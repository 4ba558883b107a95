"""Shifts and their cash, credit sales, returns, voids, coupons and parked carts."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.test import Client
from django_tenants.utils import schema_context
from moneyed import Money

from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.models import Product
from tenant_apps.customers.models import Customer
from tenant_apps.customers.services import customer_create
from tenant_apps.inventory.models import Location
from tenant_apps.ledger.models import JournalEntry
from tenant_apps.sales.models import Register, Sale
from tests.support.sales import amount, cart, checkout
from tests.support.urls import tenant_path


def _post(client: Client, route: str, body: dict[str, Any], **ids: Any) -> Any:
    return client.post(tenant_path(route, **ids), body, content_type="application/json")


def _entries(business: Tenant, source: str) -> list[dict[str, tuple[Decimal, Decimal]]]:
    with schema_context(business.schema_name):
        return [
            {
                str(line.account.role): (line.debit.amount, line.credit.amount)
                for line in entry.lines.select_related("account")
            }
            for entry in JournalEntry.objects.filter(source=source).order_by("pk")
        ]


def test_shift_close_reports_the_cash_variance_and_books_it(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
) -> None:
    pen = make_product(name="Pen", price="50")
    receive(pen, store, "10")
    for _ in range(3):
        body = cart(till, (pen.pk, "1"), tenders=[{"method": "cash", "amount": "100"}])
        assert checkout(cashier_client, body).status_code == 201
    moved = _post(
        cashier_client,
        "sales:shift-cash",
        {
            "kind": "cash_out",
            "amount": "30",
            "reason": "Bought milk for the shop",
            "account": "expense_other",
        },
        shift_id=open_shift,
    )
    assert moved.status_code == 201, moved.content
    shift_detail_path = tenant_path("sales:shift-detail", shift_id=open_shift)
    x_report = cashier_client.get(shift_detail_path).json()["report"]
    assert x_report["sales_count"] == 3
    assert Decimal(x_report["expected_cash"]) == Decimal("1120")  # 1000 + 150 - 30

    closed = _post(
        cashier_client, "sales:shift-close", {"counted_cash": "1110"}, shift_id=open_shift
    )

    assert closed.status_code == 200, closed.content
    shift = closed.json()
    assert amount(shift["expected_cash"]) == Decimal("1120")
    assert amount(shift["variance"]) == Decimal("-10")
    assert shift["z_report"]["variance"] == "-10.00"
    assert _entries(business, "drawer_cash")[-1] == {
        "expense_other": (Decimal("10.00"), Decimal(0)),
        "cash_drawer": (Decimal(0), Decimal("10.00")),
    }
    again = _post(
        cashier_client, "sales:shift-close", {"counted_cash": "1110"}, shift_id=open_shift
    )
    assert again.status_code == 409
    after = checkout(cashier_client, cart(till, (pen.pk, "1")))
    assert after.json()["error"]["code"] == "no_open_shift"


def test_credit_sale_within_the_limit_and_refused_over_it(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
    stock_of: Callable[..., Any],
) -> None:
    flour = make_product(name="Flour", price="400")
    receive(flour, store, "10")
    with schema_context(business.schema_name):
        shop = customer_create(name="Mama Njeri", credit_limit=Money(1000, business.currency))

    ok = checkout(
        cashier_client,
        cart(
            till,
            (flour.pk, "2"),
            tenders=[{"method": "account", "amount": "800"}],
            customer=shop.pk,
        ),
    )
    over = checkout(
        cashier_client,
        cart(
            till,
            (flour.pk, "1"),
            tenders=[{"method": "account", "amount": "400"}],
            customer=shop.pk,
        ),
    )

    assert ok.status_code == 201, ok.content
    assert over.status_code == 409
    assert over.json()["error"]["code"] == "credit_limit_exceeded"
    assert stock_of(flour, store) == (Decimal(8), Decimal(0))
    with schema_context(business.schema_name):
        assert Customer.objects.get(pk=shop.pk).balance.amount == Decimal("800")
        assert Sale.objects.count() == 1
    assert _entries(business, "sale")[0]["accounts_receivable"] == (Decimal("800.00"), Decimal(0))


def test_partial_return_refunds_cash_restocks_and_books_in_reverse(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    owner_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
    stock_of: Callable[..., Any],
) -> None:
    cup = make_product(name="Cup", price="100", cost="40")
    receive(cup, store, "5", cost="40")
    sale = checkout(cashier_client, cart(till, (cup.pk, "3"))).json()
    line = sale["lines"][0]["id"]

    body = {
        "uuid": str(uuid.uuid4()),
        "lines": [{"line": line, "quantity": "1", "restock": True}],
        "refund_method": "cash",
        "reason": "Chipped",
    }
    cashier_try = _post(cashier_client, "sales:sale-return-list", body, sale_uuid=sale["uuid"])
    first = _post(owner_client, "sales:sale-return-list", body, sale_uuid=sale["uuid"])
    replay = _post(owner_client, "sales:sale-return-list", body, sale_uuid=sale["uuid"])
    too_many = _post(
        owner_client,
        "sales:sale-return-list",
        {**body, "uuid": str(uuid.uuid4()), "lines": [{"line": line, "quantity": "3"}]},
        sale_uuid=sale["uuid"],
    )

    assert cashier_try.status_code == 403
    assert first.status_code == 201, first.content
    assert replay.status_code == 200
    assert amount(first.json()["total"]) == Decimal("100.00")
    assert too_many.status_code == 409
    assert too_many.json()["error"]["fields"]["lines[0].quantity"][0]["code"] == "more_than_sold"
    assert stock_of(cup, store) == (Decimal(3), Decimal(0))
    returns = _entries(business, "sale_return")
    assert len(returns) == 1
    assert returns[0]["cash_drawer"] == (Decimal(0), Decimal("100.00"))
    assert returns[0]["inventory"] == (Decimal("40.00"), Decimal(0))
    assert returns[0]["cost_of_goods_sold"] == (Decimal(0), Decimal("40.00"))
    shift_detail_path = tenant_path("sales:shift-detail", shift_id=open_shift)
    x_report = cashier_client.get(shift_detail_path).json()["report"]
    assert Decimal(x_report["expected_cash"]) == Decimal("1200")  # 1000 + 300 - 100


def test_the_rest_of_a_line_returns_exactly_what_it_cost(
    business: Tenant,
    till: Register,
    open_shift: int,
    owner_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
) -> None:
    nuts = make_product(name="Nuts", price="10")
    receive(nuts, store, "3")
    sale = checkout(owner_client, cart(till, (nuts.pk, "3"), cart_discount="1.00")).json()
    line = sale["lines"][0]["id"]
    totals = []
    for qty in ("1", "2"):
        body = {
            "uuid": str(uuid.uuid4()),
            "lines": [{"line": line, "quantity": qty, "restock": False}],
            "refund_method": "cash",
            "reason": "Stale",
        }
        response = _post(owner_client, "sales:sale-return-list", body, sale_uuid=sale["uuid"])
        assert response.status_code == 201, response.content
        totals.append(amount(response.json()["total"]))

    assert totals == [Decimal("9.67"), Decimal("19.33")]
    assert sum(totals) == amount(sale["total"])


def test_void_needs_a_manager_and_puts_everything_back(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    owner_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
    stock_of: Callable[..., Any],
) -> None:
    oil = make_product(name="Oil", price="250", cost="200")
    receive(oil, store, "4", cost="200")
    sale = checkout(cashier_client, cart(till, (oil.pk, "2"))).json()

    refused = _post(
        cashier_client, "sales:sale-void", {"reason": "Rang up twice"}, sale_uuid=sale["uuid"]
    )
    voided = _post(
        owner_client, "sales:sale-void", {"reason": "Rang up twice"}, sale_uuid=sale["uuid"]
    )

    assert refused.status_code == 403
    assert voided.status_code == 200
    assert voided.json()["status"] == "voided"
    assert voided.json()["receipt"] == sale["receipt"]  # the number stays used
    assert stock_of(oil, store) == (Decimal(4), Decimal(0))
    with schema_context(business.schema_name):
        entry = JournalEntry.objects.get(source="sale", reference=sale["uuid"])
        assert JournalEntry.objects.filter(reversal_of=entry).count() == 1
    shift_detail_path = tenant_path("sales:shift-detail", shift_id=open_shift)
    x_report = cashier_client.get(shift_detail_path).json()["report"]
    assert Decimal(x_report["expected_cash"]) == Decimal("1000")


def test_coupon_limits_window_and_minimum_spend(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    owner_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
) -> None:
    shoe = make_product(name="Shoe", price="1000")
    receive(shoe, store, "10")
    made = _post(
        owner_client,
        "sales:coupon-list",
        {"code": "KARIBU10", "kind": "percent", "value": "10", "max_uses": 1, "min_spend": "1500"},
    )
    assert made.status_code == 201, made.content
    assert (
        _post(
            cashier_client, "sales:coupon-list", {"code": "X", "kind": "fixed", "value": "1"}
        ).status_code
        == 403
    )

    too_small = checkout(cashier_client, cart(till, (shoe.pk, "1"), coupon="karibu10"))
    used = checkout(cashier_client, cart(till, (shoe.pk, "2"), coupon="karibu10"))
    used_up = checkout(cashier_client, cart(till, (shoe.pk, "2"), coupon="KARIBU10"))

    assert too_small.status_code == 400
    assert too_small.json()["error"]["fields"]["coupon"][0]["code"] == "below_min_spend"
    assert used.status_code == 201, used.content
    assert amount(used.json()["total"]) == Decimal("1800.00")
    assert used.json()["coupon"] == "KARIBU10"
    assert used_up.status_code == 409
    assert used_up.json()["error"]["fields"]["coupon"][0]["code"] == "used_up"


def test_parked_cart_holds_no_stock_and_resumes_under_the_same_uuid(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
    stock_of: Callable[..., Any],
) -> None:
    egg = make_product(name="Egg tray", price="420")
    receive(egg, store, "5")
    body = cart(till, (egg.pk, "1"), tenders=[], park=True)

    parked = checkout(cashier_client, body)
    listed = cashier_client.get(tenant_path("sales:sale-parked")).json()["results"]
    resumed = checkout(
        cashier_client,
        {**body, "park": False, "lines": [{"product": egg.pk, "quantity": "2"}],
         "tenders": [{"method": "cash", "amount": "1000"}]},
    )  # fmt: skip

    assert parked.status_code == 201
    assert parked.json()["status"] == "parked"
    assert [s["uuid"] for s in listed] == [body["uuid"]]
    assert resumed.status_code == 201, resumed.content
    assert resumed.json()["uuid"] == body["uuid"]
    assert resumed.json()["status"] == "completed"
    assert stock_of(egg, store) == (Decimal(3), Decimal(0))
