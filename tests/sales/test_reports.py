"""Sales reports from real checkouts and returns, with figures worked out by hand.

The shop: soap at 116.00 with 16% VAT included (100.00 net + 16.00 tax, cost 60.00) and bread
at 50.00 without tax (cost 20.00).
Sale A (the cashier): 2 soap + 1 bread, cash 300 → gross 282, net 250, tax 32, cost 140.
Sale B (the owner): 1 soap on the customer's account → gross 116, net 100, tax 16, cost 60.
Return: 1 soap of sale A, back on the shelf, cash refund → -116 gross, -100 net, -16 tax,
-60 cost.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context
from moneyed import Money

from shared_apps.tenants.models import Tenant
from shared_apps.users.models import Role
from tenant_apps.catalog.models import Category, Product, TaxRate
from tenant_apps.customers.services import customer_create
from tenant_apps.inventory.models import Location
from tenant_apps.sales.models import Register, Sale
from tests.support.sales import cart, checkout
from tests.support.urls import tenant_path

NAIROBI = ZoneInfo("Africa/Nairobi")
SUMMARY = tenant_path("sales:summary-report")


@dataclass
class Shop:
    soap: Product
    bread: Product
    sale_a: dict[str, Any]
    sale_b: dict[str, Any]
    today: date


def money(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "KES"}


def today_in_nairobi() -> date:
    return timezone.localdate(timezone=NAIROBI)


@pytest.fixture
def goods(
    business: Tenant, make_product: Callable[..., Product], store: Location, receive: Any
) -> tuple[Product, Product]:
    with schema_context(business.schema_name):
        vat = TaxRate.objects.create(name="VAT 16", rate=Decimal("16"))
        household = Category.objects.create(name="Household")
        bakery = Category.objects.create(name="Bakery")
    soap = make_product(name="Soap", price="116.00", cost="60", tax_rate=vat, category=household)
    bread = make_product(name="Bread", price="50.00", cost="20", category=bakery)
    receive(soap, store, "50", cost="60")
    receive(bread, store, "50", cost="20")
    return soap, bread


@pytest.fixture
def shop(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    owner_client: Client,
    goods: tuple[Product, Product],
) -> Shop:
    soap, bread = goods
    with schema_context(business.schema_name):
        customer = customer_create(name="Baraka Mwangi", credit_limit=Money(Decimal("1000"), "KES"))
    a = checkout(
        cashier_client,
        cart(till, (soap.pk, "2"), (bread.pk, "1"), tenders=[{"method": "cash", "amount": "300"}]),
    )
    b = checkout(
        owner_client,
        cart(
            till,
            (soap.pk, "1"),
            tenders=[{"method": "account", "amount": "116"}],
            customer=customer.pk,
        ),
    )
    assert (a.status_code, b.status_code) == (201, 201), (a.content, b.content)
    sale_a = a.json()
    soap_line = next(line for line in sale_a["lines"] if line["product"] == soap.pk)
    back = owner_client.post(
        tenant_path("sales:sale-return-list", sale_uuid=sale_a["uuid"]),
        {
            "uuid": str(uuid.uuid4()),
            "lines": [{"line": soap_line["id"], "quantity": "1", "restock": True}],
            "refund_method": "cash",
            "reason": "Wrong scent",
        },
        content_type="application/json",
    )
    assert back.status_code == 201, back.content
    return Shop(soap=soap, bread=bread, sale_a=sale_a, sale_b=b.json(), today=today_in_nairobi())


def summary(client: Client, **params: Any) -> Any:
    return client.get(SUMMARY, params)


def by_key(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["key"]: row for row in report["rows"]}


def test_product_rows_subtract_returns_and_give_margin(shop: Shop, owner_client: Client) -> None:
    day = shop.today.isoformat()
    response = summary(owner_client, start=day, end=day, group="product")

    assert response.status_code == 200, response.content
    report = response.json()
    assert (report["time_zone"], report["currency"]) == ("Africa/Nairobi", "KES")
    rows = by_key(report)
    assert rows[str(shop.soap.pk)] == {
        "key": str(shop.soap.pk),
        "label": f"Soap ({shop.soap.sku})",
        "count": 2,
        "quantity": "2",  # 3 sold, 1 back
        "revenue": money("200.00"),
        "tax": money("32.00"),
        "gross": money("232.00"),
        "cost": money("120.00"),
        "profit": money("80.00"),
        "margin": "40.00",
        "returns": money("116.00"),
    }
    bread = rows[str(shop.bread.pk)]
    assert (bread["count"], bread["quantity"], bread["revenue"], bread["cost"]) == (
        1,
        "1",
        money("50.00"),
        money("20.00"),
    )
    assert (bread["profit"], bread["margin"]) == (money("30.00"), "60.00")
    assert [row["key"] for row in report["rows"]] == [str(shop.soap.pk), str(shop.bread.pk)]
    totals = report["totals"]
    assert totals["count"] == 2
    assert (totals["revenue"], totals["tax"], totals["gross"], totals["cost"]) == (
        money("250.00"),
        money("32.00"),
        money("282.00"),
        money("140.00"),
    )
    assert (totals["profit"], totals["margin"], totals["returns"]) == (
        money("110.00"),
        "44.00",
        money("116.00"),
    )


def test_category_cashier_register_and_day_rows(
    business: Tenant, shop: Shop, owner_client: Client
) -> None:
    day = shop.today.isoformat()

    categories = by_key(summary(owner_client, start=day, end=day, group="category").json())
    cashiers = summary(owner_client, start=day, end=day, group="cashier").json()["rows"]
    registers = summary(owner_client, start=day, end=day, group="register").json()["rows"]
    days = summary(owner_client, start=day, end=day, group="day").json()["rows"]

    assert {row["label"]: row["gross"]["amount"] for row in categories.values()} == {
        "Household": "232.00",
        "Bakery": "50.00",
    }
    # The return counts against the cashier who made the sale.
    assert {row["label"]: (row["count"], row["revenue"]["amount"]) for row in cashiers} == {
        "Cashier Person": (1, "150.00"),
        "Wanjiru Kamau": (1, "100.00"),
    }
    assert [(r["label"], r["count"], r["gross"]["amount"]) for r in registers] == [
        ("Till 1 (TILL1)", 2, "282.00")
    ]
    assert [(r["key"], r["count"], r["gross"]["amount"], r["profit"]["amount"]) for r in days] == [
        (day, 2, "282.00", "110.00")
    ]


def test_tender_rows_and_refunds(shop: Shop, owner_client: Client) -> None:
    day = shop.today.isoformat()
    report = summary(owner_client, start=day, end=day, group="tender").json()

    assert [(r["key"], r["count"], r["gross"]["amount"]) for r in report["rows"]] == [
        ("cash", 1, "282.00"),
        ("account", 1, "116.00"),
        ("refund:cash", 0, "-116.00"),
    ]
    assert report["rows"][0]["revenue"] is None  # a payment has no tax or cost of its own
    assert report["totals"]["gross"] == money("282.00")


def test_today_at_a_glance(shop: Shop, owner_client: Client) -> None:
    response = owner_client.get(tenant_path("sales:today-report"))

    assert response.status_code == 200, response.content
    assert response.json() == {
        "date": shop.today.isoformat(),
        "time_zone": "Africa/Nairobi",
        "sales_count": 2,
        "sales_total": money("398.00"),
        "returns_total": money("116.00"),
        "net_total": money("282.00"),
        "revenue": money("250.00"),
        "tax": money("32.00"),
        "cost": money("140.00"),
        "gross_profit": money("110.00"),
        "margin": "44.00",
        "average_basket": money("199.00"),
        "by_tender": {"cash": money("282.00"), "account": money("116.00")},
        "refunds": {"cash": money("116.00")},
    }


def test_csv_has_a_header_and_a_row_a_line_then_the_total(shop: Shop, owner_client: Client) -> None:
    day = shop.today.isoformat()
    response = summary(owner_client, start=day, end=day, group="category", format="csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "key", "label", "count", "quantity", "revenue", "tax", "gross", "cost", "profit",
        "margin", "returns",
    ]  # fmt: skip
    assert [row[1:] for row in rows[1:]] == [
        ["Household", "2", "2", "200", "32", "232", "120", "80", "40", "116"],
        ["Bakery", "1", "1", "50", "0", "50", "20", "30", "60", "0"],
        ["Total", "2", "", "250", "32", "282", "140", "110", "44", "116"],
    ]


def test_a_sale_at_2330_utc_is_the_next_day_in_nairobi(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    owner_client: Client,
    goods: tuple[Product, Product],
) -> None:
    _, bread = goods
    sold = checkout(cashier_client, cart(till, (bread.pk, "2")))
    assert sold.status_code == 201
    late = datetime(2026, 3, 9, 23, 30, tzinfo=UTC)  # 02:30 on the 10th in Nairobi
    with schema_context(business.schema_name):
        Sale.objects.filter(uuid=sold.json()["uuid"]).update(completed_at=late)

    ninth = summary(owner_client, start="2026-03-09", end="2026-03-09", group="day").json()
    tenth = summary(owner_client, start="2026-03-10", end="2026-03-10", group="day").json()
    hours = summary(owner_client, start="2026-03-10", end="2026-03-10", group="hour").json()

    assert (ninth["rows"], ninth["totals"]["count"]) == ([], 0)
    assert [(r["key"], r["count"], r["gross"]["amount"]) for r in tenth["rows"]] == [
        ("2026-03-10", 1, "100.00")
    ]
    assert [(r["key"], r["label"]) for r in hours["rows"]] == [
        ("2026-03-10T02:00:00+03:00", "2026-03-10 02:00")
    ]


def test_a_return_counts_when_it_happens_not_when_the_sale_was(
    business: Tenant, shop: Shop, owner_client: Client
) -> None:
    last_week = timezone.now() - timedelta(days=7)
    with schema_context(business.schema_name):
        Sale.objects.filter(uuid=shop.sale_a["uuid"]).update(completed_at=last_week)
    then = timezone.localdate(last_week, timezone=NAIROBI).isoformat()
    day = shop.today.isoformat()

    sale_day = summary(owner_client, start=then, end=then).json()["totals"]
    return_day = summary(owner_client, start=day, end=day, group="product").json()
    week = summary(owner_client, start=then, end=day).json()

    # Sale A stands whole on its day; today has sale B less the returned soap.
    assert (sale_day["count"], sale_day["gross"], sale_day["returns"]) == (
        1,
        money("282.00"),
        money("0.00"),
    )
    soap = by_key(return_day)[str(shop.soap.pk)]
    assert (soap["count"], soap["quantity"], soap["gross"], soap["cost"]) == (
        1,
        "0",
        money("0.00"),
        money("0.00"),
    )
    assert return_day["totals"]["gross"] == money("0.00")
    assert [(r["key"], r["gross"]["amount"]) for r in week["rows"]] == [
        (then, "282.00"),
        (day, "0.00"),
    ]
    assert week["totals"]["gross"] == money("282.00")


def test_unstocked_returns_keep_their_cost(
    business: Tenant,
    till: Register,
    open_shift: int,
    owner_client: Client,
    goods: tuple[Product, Product],
) -> None:
    soap, _ = goods
    sold = checkout(owner_client, cart(till, (soap.pk, "1")))
    line = sold.json()["lines"][0]["id"]
    back = owner_client.post(
        tenant_path("sales:sale-return-list", sale_uuid=sold.json()["uuid"]),
        {
            "uuid": str(uuid.uuid4()),
            "lines": [{"line": line, "quantity": "1", "restock": False}],
            "refund_method": "cash",
            "reason": "Crushed",
        },
        content_type="application/json",
    )
    assert back.status_code == 201, back.content
    day = today_in_nairobi().isoformat()

    totals = summary(owner_client, start=day, end=day).json()["totals"]

    # The money went back but the soap is in the bin: its cost is still a cost.
    assert (totals["revenue"], totals["cost"], totals["profit"]) == (
        money("0.00"),
        money("60.00"),
        money("-60.00"),
    )
    assert totals["margin"] is None


def test_voided_sales_do_not_count(
    till: Register, open_shift: int, owner_client: Client, goods: tuple[Product, Product]
) -> None:
    _, bread = goods
    sold = checkout(owner_client, cart(till, (bread.pk, "1")))
    voided = owner_client.post(
        tenant_path("sales:sale-void", sale_uuid=sold.json()["uuid"]),
        {"reason": "Test"},
        content_type="application/json",
    )
    assert voided.status_code == 200
    day = today_in_nairobi().isoformat()

    report = summary(owner_client, start=day, end=day).json()

    assert (report["rows"], report["totals"]["count"]) == ([], 0)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-13-01", "end": "2026-01-31"}, "start"),
        ({"start": "2026-02-01", "end": "yesterday"}, "end"),
        ({"start": "2026-02-10", "end": "2026-02-01"}, "start"),
        ({"start": "2025-01-01", "end": "2026-01-02"}, "start"),  # 367 days
        ({"start": "2026-01-01", "end": "2026-01-02", "group": "weather"}, "group"),
        ({"start": "2026-01-01", "format": "xlsx"}, "format"),
    ],
)
def test_bad_periods_and_groups_are_400(
    business: Tenant, owner_client: Client, params: dict[str, str], field: str
) -> None:
    response = summary(owner_client, **params)

    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]


def test_a_leap_year_fits(business: Tenant, owner_client: Client) -> None:
    response = summary(owner_client, start="2024-01-01", end="2024-12-31")
    assert response.status_code == 200
    assert response.json()["rows"] == []


def test_who_may_read_reports(
    business: Tenant,
    cashier_client: Client,
    member: Callable[..., Any],
    jwt_client: Callable[[Tenant, str], Client],
) -> None:
    assert summary(cashier_client).status_code == 403
    assert cashier_client.get(tenant_path("sales:today-report")).status_code == 403
    for role in (Role.MANAGER, Role.ACCOUNTANT, Role.ANALYST):
        client = jwt_client(business, member(business, role).email)
        assert summary(client).status_code == 200
        assert client.get(tenant_path("sales:today-report")).status_code == 200


def test_another_business_sees_only_its_own_sales(
    shop: Shop,
    make_tenant: Callable[..., Tenant],
    jwt_client: Callable[[Tenant, str], Client],
) -> None:
    other = make_tenant(business_name="Beta Stores")
    client = jwt_client(other, other.owner_email)
    day = shop.today.isoformat()

    report = summary(client, start=day, end=day, group="product").json()

    assert (report["rows"], report["totals"]["count"]) == ([], 0)
    assert client.get(tenant_path("sales:today-report")).json()["sales_count"] == 0
