"""Reports over a small scripted month of trading, against figures worked out by hand."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from shared_apps.tenants.models import Tenant
from shared_apps.users.models import User
from tenant_apps.staff.services import api_key_create
from tests.ledger.conftest import Books, account, trade_june
from tests.support.people import owner_of
from tests.support.urls import tenant_path


@pytest.fixture
def owner_api(books: Books, jwt_client: Callable[[Tenant, str], Client]) -> Client:
    trade_june(books)
    return jwt_client(books.tenant, books.tenant.owner_email)


def _get(client: Client, path: str) -> Any:
    response = client.get(path)
    assert response.status_code == 200, response.content
    return response.json()


def _amounts(section: dict[str, Any]) -> dict[str, str]:
    return {line["account"]["role"]: line["amount"]["amount"] for line in section["lines"]}


JUNE = "start=2026-06-01&end=2026-06-30"


def test_trial_balance_at_the_end_of_june(owner_api: Client) -> None:
    report = _get(owner_api, tenant_path("ledger:trial-balance-report") + "?as_of=2026-06-30")
    rows = {
        r["account"]["role"]: (r["debit"]["amount"], r["credit"]["amount"]) for r in report["rows"]
    }
    assert rows == {
        "cash_drawer": ("11100.00", "0.00"),  # 1,000 + 11,600 - 1,500
        "bank": ("29680.00", "0.00"),  # 50,000 - 10,000 - 8,000 - 2,320
        "inventory": ("11000.00", "0.00"),  # 17,000 - 6,000
        "vat_receivable": ("320.00", "0.00"),
        "accounts_payable": ("0.00", "7000.00"),
        "vat_payable": ("0.00", "1600.00"),
        "owner_equity": ("0.00", "51000.00"),
        "sales_revenue": ("0.00", "10000.00"),
        "cost_of_goods_sold": ("6000.00", "0.00"),
        "expense_rent": ("8000.00", "0.00"),
        "expense_utilities": ("2000.00", "0.00"),
        "expense_transport": ("1500.00", "0.00"),
    }
    assert (
        report["total_debit"] == report["total_credit"] == {"amount": "69600.00", "currency": "KES"}
    )


def test_profit_and_loss_for_june(owner_api: Client) -> None:
    report = _get(owner_api, tenant_path("ledger:profit-and-loss-report") + f"?{JUNE}")
    assert _amounts(report["income"]) == {"sales_revenue": "10000.00"}
    assert _amounts(report["expenses"]) == {
        "cost_of_goods_sold": "6000.00",
        "expense_rent": "8000.00",
        "expense_utilities": "2000.00",
        "expense_transport": "1500.00",
    }
    assert report["expenses"]["total"]["amount"] == "17500.00"
    assert report["net_profit"]["amount"] == "-7500.00"


def test_balance_sheet_balances_with_the_period_result_in_equity(owner_api: Client) -> None:
    report = _get(owner_api, tenant_path("ledger:balance-sheet-report") + "?as_of=2026-06-30")
    assert report["assets"]["total"]["amount"] == "52100.00"
    assert report["liabilities"]["total"]["amount"] == "8600.00"
    assert _amounts(report["equity"]) == {"owner_equity": "51000.00"}
    assert report["current_earnings"]["amount"] == "-7500.00"
    assert report["total_equity"]["amount"] == "43500.00"
    assert report["total_liabilities_and_equity"]["amount"] == "52100.00"


def test_general_ledger_of_the_bank_with_running_balance(books: Books, owner_api: Client) -> None:
    with tenant_context(books.tenant):
        bank, cash = account("bank").pk, account("cash_drawer").pk
    report = _get(owner_api, tenant_path("ledger:account-ledger", account_id=bank) + f"?{JUNE}")
    assert report["opening_balance"]["amount"] == "0.00"
    assert [
        (x["date"], x["debit"]["amount"], x["credit"]["amount"], x["balance"]["amount"])
        for x in report["lines"]
    ] == [
        ("2026-06-01", "50000.00", "0.00", "50000.00"),
        ("2026-06-10", "0.00", "10000.00", "40000.00"),
        ("2026-06-15", "0.00", "8000.00", "32000.00"),
        ("2026-06-25", "0.00", "2320.00", "29680.00"),
    ]
    assert report["closing_balance"]["amount"] == "29680.00"
    cash_report = _get(
        owner_api, tenant_path("ledger:account-ledger", account_id=cash) + f"?{JUNE}"
    )
    assert cash_report["opening_balance"]["amount"] == "1000.00"  # the May float
    assert cash_report["closing_balance"]["amount"] == "11100.00"


def test_day_book_lists_the_entries_of_one_day(owner_api: Client) -> None:
    report = _get(owner_api, tenant_path("ledger:day-book-report") + "?date=2026-06-05")
    assert [e["memo"] for e in report["entries"]] == ["Takings", "Cost of takings"]


def test_vat_report_for_june(owner_api: Client) -> None:
    report = _get(owner_api, tenant_path("ledger:vat-report") + f"?{JUNE}")
    assert report["output_vat"]["amount"] == "1600.00"
    assert report["input_vat"]["amount"] == "320.00"
    assert report["net_payable"]["amount"] == "1280.00"


def test_budget_versus_actual_for_june(owner_api: Client) -> None:
    report = _get(owner_api, tenant_path("ledger:budget-vs-actual-report") + f"?{JUNE}")
    assert [
        (
            r["account"]["role"],
            r["budget"]["amount"],
            r["actual"]["amount"],
            r["variance"]["amount"],
        )
        for r in report["rows"]
    ] == [
        ("expense_rent", "7500.00", "8000.00", "500.00"),
        ("expense_transport", "2000.00", "1500.00", "-500.00"),
    ]


def test_reports_come_as_csv(owner_api: Client) -> None:
    trial_balance_report_path = (
        tenant_path("ledger:trial-balance-report") + "?as_of=2026-06-30&format=csv"
    )
    response = owner_api.get(trial_balance_report_path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["code", "account", "debit", "credit"]
    assert ["1010", "Bank", "29680.00", "0.00"] in rows
    assert rows[-1] == ["", "Total", "69600.00", "69600.00"]
    pnl = owner_api.get(tenant_path("ledger:profit-and-loss-report") + f"?{JUNE}&format=csv")
    assert list(csv.reader(io.StringIO(pnl.content.decode())))[-1] == [
        "net_profit",
        "",
        "Net profit",
        "-7500.00",
    ]


def test_a_period_that_ends_before_it_starts_is_refused(owner_api: Client) -> None:
    response = owner_api.get(tenant_path("ledger:vat-report") + "?start=2026-07-01&end=2026-06-01")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["start"][0]["code"] == "period_reversed"


# --- the API's writes and its permissions ---------------------------------------------------


def test_manual_entry_and_reversal_through_the_api(
    books: Books, jwt_client: Callable[[Tenant, str], Client]
) -> None:
    client = jwt_client(books.tenant, books.tenant.owner_email)
    posted = client.post(
        tenant_path("ledger:entry-list"),
        {
            "date": "2026-06-03",
            "memo": "Owner's drawings",
            "lines": [
                {"account": "owner_equity", "debit": "500"},
                {"account": "1000", "credit": "500"},
            ],
        },
        content_type="application/json",
    )
    assert posted.status_code == 201, posted.content
    entry = posted.json()
    assert [(x["account"]["role"], x["debit"]["amount"]) for x in entry["lines"]] == [
        ("owner_equity", "500.00"),
        ("cash_drawer", "0.00"),
    ]
    reversed_ = client.post(
        tenant_path("ledger:entry-reverse", entry_id=entry["id"]),
        {},
        content_type="application/json",
    )
    assert reversed_.status_code == 201
    assert reversed_.json()["reversal_of"] == entry["id"]
    again = client.post(
        tenant_path("ledger:entry-reverse", entry_id=entry["id"]),
        {},
        content_type="application/json",
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_reversed"
    unbalanced = client.post(
        tenant_path("ledger:entry-list"),
        {
            "memo": "x",
            "lines": [
                {"account": "bank", "debit": "5"},
                {"account": "owner_equity", "credit": "4"},
            ],
        },
        content_type="application/json",
    )
    assert unbalanced.status_code == 400
    assert unbalanced.json()["error"]["fields"]["lines"][0]["code"] == "unbalanced"
    since_june = client.get(tenant_path("ledger:entry-list"), {"start": "2026-06-01"}).json()
    assert len(since_june["results"]) == 2


def test_lock_date_through_the_api(
    books: Books, jwt_client: Callable[[Tenant, str], Client]
) -> None:
    client = jwt_client(books.tenant, books.tenant.owner_email)
    assert client.put(
        tenant_path("ledger:lock-date-detail"),
        {"lock_date": "2026-06-30"},
        content_type="application/json",
    ).json() == {"lock_date": "2026-06-30"}
    refused = client.post(
        tenant_path("ledger:entry-list"),
        {
            "date": "2026-06-30",
            "memo": "late",
            "lines": [
                {"account": "bank", "debit": "5"},
                {"account": "owner_equity", "credit": "5"},
            ],
        },
        content_type="application/json",
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "period_locked"


def test_expenses_and_budgets_through_the_api(
    books: Books, jwt_client: Callable[[Tenant, str], Client]
) -> None:
    client = jwt_client(books.tenant, books.tenant.owner_email)
    with tenant_context(books.tenant):
        wages, mpesa = account("expense_wages").pk, account("mpesa_clearing").pk
    made = client.post(
        tenant_path("ledger:expense-list"),
        {
            "category": wages,
            "paid_from": mpesa,
            "amount": "3000",
            "date": "2026-06-30",
            "payee": "Otieno",
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["amount"] == {"amount": "3000.00", "currency": "KES"}
    budget = client.post(
        tenant_path("ledger:budget-list"),
        {"account": wages, "month": "2026-06-12", "amount": "2500"},
        content_type="application/json",
    )
    assert budget.json()["month"] == "2026-06-01"
    report = _get(client, tenant_path("ledger:budget-vs-actual-report") + f"?{JUNE}")
    assert report["rows"][0]["variance"]["amount"] == "500.00"


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [
        ("accountant", 200, 201),
        ("manager", 200, 403),
        ("analyst", 200, 403),
        ("cashier", 403, 403),
        ("warehouse", 403, 403),
    ],
)
def test_who_may_read_and_post(
    books: Books,
    member: Callable[..., User],
    jwt_client: Callable[[Tenant, str], Client],
    role: str,
    read: int,
    write: int,
) -> None:
    client = jwt_client(books.tenant, member(books.tenant, role).email)
    assert client.get(tenant_path("ledger:trial-balance-report")).status_code == read
    assert client.get(tenant_path("ledger:entry-list")).status_code == read
    posted = client.post(
        tenant_path("ledger:entry-list"),
        {
            "memo": "x",
            "lines": [
                {"account": "bank", "debit": "5"},
                {"account": "owner_equity", "credit": "5"},
            ],
        },
        content_type="application/json",
    )
    assert posted.status_code == write


def test_a_reports_only_key_reads_reports_but_not_the_journal(
    books: Books, tenant_client: Callable[[Tenant], Client]
) -> None:
    with tenant_context(books.tenant):
        issued = api_key_create(actor=owner_of(books.tenant), name="BI", scopes=["reports:read"])
    client = tenant_client(books.tenant)
    client.defaults["HTTP_AUTHORIZATION"] = f"Api-Key {issued.key}"
    assert client.get(tenant_path("ledger:profit-and-loss-report")).status_code == 200
    assert client.get(tenant_path("ledger:entry-list")).status_code == 403
    assert tenant_client(books.tenant).get(tenant_path("ledger:vat-report")).status_code == 401
