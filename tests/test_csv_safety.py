"""Spreadsheet formula injection, from the attacker's side: text a user typed that starts like a
formula comes out of every CSV export as text (a leading apostrophe), amounts stay numbers,
and a product export imports back unchanged."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from saas_platform.api.renderers import CSVRenderer
from saas_platform.money import money
from saas_platform.safe_csv import csv_writer, unescaped
from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.models import Product
from tenant_apps.customers.services import credit_charge, customer_create
from tenant_apps.sales.api.reports import summary_rows
from tenant_apps.sales.reports import Row, Summary
from tests.support.catalog import make_product
from tests.support.urls import tenant_path

JSON = "application/json"
HYPERLINK = '=HYPERLINK("http://evil")'
AT_SUM = "@SUM(1)"
# Every start a spreadsheet may run, and what must come out.
HOSTILE = [HYPERLINK, AT_SUM, "+1+2", "-1+2", "\tcmd", "\r=1", "|calc", "%0A"]


def rows_of(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"))))


def assert_neutralised(cells: list[str], sent: str) -> None:
    assert sent not in cells, cells  # never as it was typed
    assert any(cell.startswith("'") and unescaped(cell) == sent for cell in cells), cells


def test_the_writer_neutralises_every_formula_start_and_keeps_numbers() -> None:
    out = io.StringIO()

    csv_writer(out, lineterminator="\n").writerow(
        [*HOSTILE, "-120.50", "1,200.00", Decimal("-3.5"), 7, "Plain text", ""]
    )

    cells = rows_of(out.getvalue().encode())[0]
    for sent, cell in zip(HOSTILE, cells, strict=False):
        assert cell.startswith("'"), (sent, cell)
        assert unescaped(cell) == sent
    assert cells[len(HOSTILE) :] == ["-120.50", "1,200.00", "-3.5", "7", "Plain text", ""]


def test_unescaped_leaves_ordinary_apostrophes_alone() -> None:
    assert unescaped("'tis the season") == "'tis the season"
    assert unescaped("'") == "'"
    assert unescaped("'=A\\|B") == "=A|B"


@pytest.mark.django_db
def test_product_export_neutralises_names_and_imports_back_unchanged(
    business: Tenant, jwt_client: Callable[[Tenant, str], Client]
) -> None:
    owner = jwt_client(business, business.owner_email)
    make_product(business, "EVIL-1", HYPERLINK, description=AT_SUM)
    make_product(business, "EVIL-2", AT_SUM, description="-2+3", variant_attributes={})
    make_product(business, "-SKU", "Minus", price="12.50")

    exported = owner.get(tenant_path("catalog:product-export"))

    assert exported.status_code == 200
    rows = rows_of(exported.content)
    cells = [cell for row in rows for cell in row]
    for sent in (HYPERLINK, AT_SUM, "-2+3", "-SKU"):
        assert_neutralised(cells, sent)
    assert "12.50" in cells  # prices stay numbers
    with tenant_context(business):
        before = list(Product.objects.order_by("sku").values_list("sku", "name", "description"))

    again = owner.post(
        tenant_path("catalog:product-import"), exported.content, content_type="text/csv"
    )

    assert again.status_code == 200, again.content
    assert again.json() == {"created": 0, "updated": 3}
    with tenant_context(business):
        after = list(Product.objects.order_by("sku").values_list("sku", "name", "description"))
    assert after == before


def test_sales_report_csv_neutralises_labels() -> None:
    """The report's labels are product, category, cashier and till names."""
    rows = [
        Row(key="1", label=HYPERLINK, count=1, quantity=Decimal(1), gross=Decimal("-116.00")),
        Row(key="2", label=AT_SUM, count=1, quantity=Decimal(1)),
    ]
    report = Summary(
        start=date(2026, 6, 1),
        end=date(2026, 6, 1),
        group="product",
        time_zone="Africa/Nairobi",
        currency="KES",
        rows=rows,
        totals=Row(key="", label="Total"),
    )

    table = rows_of(CSVRenderer().render(summary_rows(report)))

    labels = [row[1] for row in table[1:3]]
    assert_neutralised(labels, HYPERLINK)
    assert_neutralised(labels, AT_SUM)
    assert table[1][6] == "-116"  # a negative amount stays a number


@pytest.mark.django_db
def test_customer_statement_csv_neutralises_references(
    business: Tenant, jwt_client: Callable[[Tenant, str], Client]
) -> None:
    owner = jwt_client(business, business.owner_email)
    with tenant_context(business):
        customer = customer_create(name=HYPERLINK, credit_limit=money("10000"))
        credit_charge(customer_id=customer.pk, amount=money("100"), reference=HYPERLINK)
        credit_charge(customer_id=customer.pk, amount=money("50"), reference=AT_SUM)

    customer_statement_path = (
        tenant_path("customers:customer-statement", customer_id=customer.pk) + "?format=csv"
    )
    statement = owner.get(customer_statement_path)

    assert statement.status_code == 200, statement.content
    cells = [cell for row in rows_of(statement.content) for cell in row]
    assert_neutralised(cells, HYPERLINK)
    assert_neutralised(cells, AT_SUM)
    assert "150.00" in cells


@pytest.mark.django_db
def test_ledger_csvs_neutralise_account_names_and_memos(
    business: Tenant, jwt_client: Callable[[Tenant, str], Client]
) -> None:
    owner = jwt_client(business, business.owner_email)
    account = owner.post(
        tenant_path("ledger:account-list"),
        {"code": "6999", "name": HYPERLINK, "type": "expense"},
        content_type=JSON,
    )
    assert account.status_code == 201, account.content
    posted = owner.post(
        tenant_path("ledger:entry-list"),
        {
            "memo": AT_SUM,
            "lines": [{"account": "6999", "debit": "75"}, {"account": "bank", "credit": "75"}],
        },
        content_type=JSON,
    )
    assert posted.status_code == 201, posted.content
    today = posted.json()["date"]

    trial = owner.get(tenant_path("ledger:trial-balance-report") + f"?as_of={today}&format=csv")
    day_book_report_path = (
        tenant_path("ledger:day-book-report") + f"?start={today}&end={today}&format=csv"
    )
    day_book = owner.get(day_book_report_path)

    assert trial.status_code == 200 and day_book.status_code == 200
    assert_neutralised([c for row in rows_of(trial.content) for c in row], HYPERLINK)
    day_cells = [c for row in rows_of(day_book.content) for c in row]
    assert_neutralised(day_cells, AT_SUM)
    assert_neutralised(day_cells, HYPERLINK)
