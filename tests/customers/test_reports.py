"""Statements (opening, entries, closing; CSV and PDF) and the overdue list's FIFO aging."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import F
from django.test import Client
from django_tenants.utils import tenant_context

from saas_platform.money import money
from saas_platform.tenancy import business_today
from shared_apps.tenants.models import Tenant
from tenant_apps.customers.models import CreditEntry, CreditKind, Customer
from tenant_apps.customers.selectors import overdue_list, statement
from tenant_apps.customers.services import (
    credit_adjust,
    credit_charge,
    credit_release,
    customer_payment_receive,
)
from tests.support.urls import tenant_path

MakeCustomer = Callable[..., Customer]
NAIROBI = ZoneInfo("Africa/Nairobi")


def _historic(customer: Customer, day_offset: int, amount: str, after: str) -> None:
    """An entry from an earlier day, as an import of the paper book would leave it."""
    Customer.objects.filter(pk=customer.pk).update(balance=F("balance") + Decimal(amount))
    moment = datetime.combine(business_today() + timedelta(days=day_offset), time(10), NAIROBI)
    CreditEntry.objects.create(
        customer=customer,
        kind=CreditKind.CREDIT_SALE if Decimal(amount) > 0 else CreditKind.PAYMENT,
        amount=money(amount),
        balance_after=money(after),
        reference=f"OLD{day_offset}",
        created_at=moment,
    )


def test_a_statement_carries_the_opening_balance_into_the_period(
    shop: Tenant, make_customer: MakeCustomer
) -> None:
    customer = make_customer(limit="10000")
    with tenant_context(shop):
        today = business_today()
        _historic(customer, -40, "1000", "1000")
        _historic(customer, -20, "-400", "600")
        _historic(customer, -5, "250", "850")
        report = statement(
            customer=customer, start=today - timedelta(days=30), end=today - timedelta(days=1)
        )
        assert report.opening == money("1000")
        assert [e.reference for e in report.entries] == ["OLD-20", "OLD-5"]
        assert report.charges == money("250")
        assert report.credits == money("400")
        assert report.closing == money("850")

        before_anything = statement(
            customer=customer,
            start=today - timedelta(days=90),
            end=today - timedelta(days=60),
        )
        assert before_anything.opening == before_anything.closing == money("0")
        assert before_anything.entries == []


def test_todays_activity_on_a_statement(shop: Tenant, make_customer: MakeCustomer) -> None:
    customer = make_customer(limit="10000")
    with tenant_context(shop):
        today = business_today()
        credit_charge(customer_id=customer.pk, amount=money("1500"), reference="S-1")
        customer_payment_receive(customer_id=customer.pk, amount=money("400"), method="cash")
        credit_release(customer_id=customer.pk, amount=money("100"), reference="RET-1")
        report = statement(customer=customer, start=today, end=today)
        assert report.opening == money("0")
        assert [e.amount.amount for e in report.entries] == [
            Decimal(1500),
            Decimal(-400),
            Decimal(-100),
        ]
        assert report.closing == money("1000")
        later = statement(
            customer=customer, start=today + timedelta(days=1), end=today + timedelta(days=9)
        )
        assert later.opening == later.closing == money("1000")
        assert later.entries == []


def test_statement_as_csv_and_pdf(
    shop: Tenant, make_customer: MakeCustomer, owner_client: Client
) -> None:
    customer = make_customer(name="Otieno Hardware", limit="10000", phone="0722000111")
    with tenant_context(shop):
        today = business_today()
        _historic(customer, -3, "2000", "2000")
        credit_charge(customer_id=customer.pk, amount=money("1234.50"), reference="S-9")
    base = (
        tenant_path("customers:customer-statement", customer_id=customer.pk)
        + f"?start={today - timedelta(days=1)}&end={today}"
    )

    as_json = owner_client.get(base)
    assert as_json.status_code == 200, as_json.content
    body = as_json.json()
    assert body["opening_balance"] == {"amount": "2000.00", "currency": "KES"}
    assert body["closing_balance"] == {"amount": "3234.50", "currency": "KES"}
    assert [e["reference"] for e in body["entries"]] == ["S-9"]

    as_csv = owner_client.get(base + "&format=csv")
    assert as_csv.status_code == 200
    assert as_csv["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(as_csv.content.decode())))
    assert rows[0] == ["date", "kind", "reference", "due_on", "charge", "credit", "balance"]
    assert rows[1][1:] == ["Opening balance", "", "", "", "", "2000.00"]
    assert rows[2][1:3] == ["Credit sale", "S-9"]
    assert rows[2][4:] == ["1234.50", "", "3234.50"]
    assert rows[-1][1:] == ["Closing balance", "", "", "", "", "3234.50"]

    as_pdf = owner_client.get(base + "&format=pdf")
    assert as_pdf.status_code == 200
    assert as_pdf["Content-Type"] == "application/pdf"
    assert as_pdf.content.startswith(b"%PDF")
    assert b"Closing balance: KES 3234.50" in as_pdf.content
    assert b"Alpha Traders" in as_pdf.content  # the business's name heads it
    assert b"Otieno Hardware" in as_pdf.content

    backwards = owner_client.get(
        tenant_path("customers:customer-statement", customer_id=customer.pk),
        {"start": str(today), "end": str(today - timedelta(days=1)), "format": "pdf"},
    )
    assert backwards.status_code == 400
    assert backwards.json()["error"]["fields"]["start"][0]["code"] == "period_reversed"


def test_overdue_pays_the_oldest_charges_first_and_ages_the_rest(
    shop: Tenant, make_customer: MakeCustomer
) -> None:
    customer = make_customer(name="Kamau Kiosk", limit="100000")
    settled = make_customer(name="Paid Up", limit="100000")
    with tenant_context(shop):
        today = business_today()

        def charge(who: Customer, amount: str, due_days_ago: int) -> None:
            credit_charge(
                customer_id=who.pk,
                amount=money(amount),
                reference=f"S-{amount}",
                due_on=today - timedelta(days=due_days_ago),
            )

        charge(customer, "1000", 100)  # 90+ bucket: paid off in full by FIFO
        charge(customer, "500", 45)  # 31-60: 200 of it paid, 300 still owed
        charge(customer, "300", 10)  # 0-30
        charge(customer, "250", 75)  # 61-90, though charged later than the others
        charge(customer, "200", -5)  # not yet due
        customer_payment_receive(customer_id=customer.pk, amount=money("1200"), method="cash")
        charge(settled, "700", 120)
        customer_payment_receive(customer_id=settled.pk, amount=money("700"), method="cash")

        report = overdue_list()
        assert [row.customer.pk for row in report.customers] == [customer.pk]
        row = report.customers[0]
        assert row.balance == Decimal("1050")
        assert row.overdue == Decimal("850")
        assert row.not_yet_due == Decimal("200")
        assert row.days_overdue == 75
        assert row.oldest_due_on == today - timedelta(days=75)
        assert row.buckets == {
            "days_0_30": Decimal("300"),
            "days_31_60": Decimal("300"),
            "days_61_90": Decimal("250"),
            "days_over_90": Decimal("0"),
        }
        assert report.total_overdue == Decimal("850")

        # a write-off and a return pay charges off the same way, oldest first
        credit_adjust(customer_id=customer.pk, amount=money("-300"), note="Bad debt", actor=None)
        credit_release(customer_id=customer.pk, amount=money("50"), reference="RET")
        row = overdue_list().customers[0]
        assert row.buckets["days_31_60"] == Decimal("0")
        assert row.buckets["days_0_30"] == Decimal("250")
        assert row.overdue == Decimal("500")


def test_the_overdue_api(shop: Tenant, make_customer: MakeCustomer, owner_client: Client) -> None:
    customer = make_customer(name="Late Payer", limit="5000")
    with tenant_context(shop):
        credit_charge(
            customer_id=customer.pk,
            amount=money("400"),
            reference="S-1",
            due_on=business_today() - timedelta(days=95),
        )
    response = owner_client.get(tenant_path("customers:customer-overdue"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["total_overdue"] == {"amount": "400.00", "currency": "KES"}
    assert body["buckets"]["days_over_90"]["amount"] == "400.00"
    assert body["customers"][0]["customer"]["code"] == customer.code
    assert body["customers"][0]["days_overdue"] == 95
