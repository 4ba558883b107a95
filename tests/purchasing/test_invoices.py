"""Supplier bills: due dates, payments, overpayment, voiding; and the payables report."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from saas_platform.tenancy import business_today
from tenant_apps.purchasing.models import SupplierInvoice, SupplierPayment
from tenant_apps.purchasing.selectors import payables_summary
from tenant_apps.purchasing.services import supplier_create, supplier_invoice_create
from tests.purchasing.conftest import Shop, post
from tests.support.urls import tenant_path

pytestmark = pytest.mark.django_db

INVOICES = tenant_path("purchasing:supplier-invoice-list")


def kes(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "KES"}


def bill(
    api: Client, shop: Shop, number: str = "INV-100", total: str = "1000", **extra: Any
) -> Any:
    body = {"supplier": shop.supplier.pk, "number": number, "invoice_date": "2026-03-01"}
    response = post(api, INVOICES, {**body, "total": total, **extra})
    assert response.status_code == 201, response.content
    return response.json()


def invoice_state(shop: Shop, invoice_id: int) -> tuple[Decimal, str, int]:
    with tenant_context(shop.tenant):
        invoice = SupplierInvoice.objects.get(pk=invoice_id)
        return invoice.amount_paid.amount, invoice.status, invoice.payments.count()


def pay(api: Client, invoice_id: int, amount: str, **extra: Any) -> Any:
    body = {"amount": amount, "method": "mobile_money", "reference": "QK12XYZ", **extra}
    return post(api, tenant_path("purchasing:supplier-payment-list", invoice_id=invoice_id), body)


def test_the_due_date_follows_the_suppliers_payment_terms(shop: Shop, api: Client) -> None:
    invoice = bill(api, shop)

    assert invoice["due_date"] == "2026-03-31"  # 1 March + 30 days
    assert invoice["status"] == "open"
    assert invoice["total"] == kes("1000.00")
    assert invoice["outstanding"] == kes("1000.00")


def test_an_explicit_due_date_wins_but_not_before_the_invoice_date(shop: Shop, api: Client) -> None:
    assert bill(api, shop, due_date="2026-03-10")["due_date"] == "2026-03-10"

    early = post(
        api,
        INVOICES,
        {"supplier": shop.supplier.pk, "number": "INV-2", "invoice_date": "2026-03-01",
         "due_date": "2026-02-01", "total": "10"},
    )  # fmt: skip

    assert early.status_code == 400
    assert early.json()["error"]["fields"]["due_date"][0]["code"] == "before_invoice_date"
    with tenant_context(shop.tenant):
        assert SupplierInvoice.objects.count() == 1


def test_a_suppliers_invoice_number_is_recorded_once(shop: Shop, api: Client) -> None:
    bill(api, shop, number="A-17")

    again = post(
        api,
        INVOICES,
        {"supplier": shop.supplier.pk, "number": "a-17", "invoice_date": "2026-03-02",
         "total": "5"},
    )  # fmt: skip

    assert again.status_code == 400
    assert again.json()["error"]["fields"]["number"][0]["code"] == "duplicate_number"
    with tenant_context(shop.tenant):
        assert SupplierInvoice.objects.count() == 1


def test_partial_then_full_payment(shop: Shop, api: Client) -> None:
    invoice = bill(api, shop, total="1000")

    first = pay(api, invoice["id"], "400", paid_on="2026-03-05")
    assert first.status_code == 201, first.content
    assert first.json()["invoice"]["status"] == "partially_paid"
    assert first.json()["invoice"]["outstanding"] == kes("600.00")
    assert first.json()["payment"]["amount"] == kes("400.00")

    second = pay(api, invoice["id"], "600", method="bank_transfer", paid_on="2026-03-20")
    assert second.status_code == 201
    assert second.json()["invoice"]["status"] == "paid"
    assert second.json()["invoice"]["outstanding"] == kes("0.00")
    assert second.json()["payment"]["paid_on"] == "2026-03-20"
    assert invoice_state(shop, invoice["id"]) == (Decimal(1000), "paid", 2)

    supplier_payment_list_path = tenant_path(
        "purchasing:supplier-payment-list", invoice_id=invoice["id"]
    )
    listed = api.get(supplier_payment_list_path).json()["results"]
    assert [(p["amount"]["amount"], p["method"]) for p in listed] == [
        ("600.00", "bank_transfer"),
        ("400.00", "mobile_money"),
    ]


@pytest.mark.parametrize(
    ("amount", "code"),
    [("600.01", "exceeds_outstanding"), ("0", "not_positive"), ("10.005", "too_precise")],
)
def test_a_payment_beyond_the_balance_or_malformed_changes_nothing(
    shop: Shop, api: Client, amount: str, code: str
) -> None:
    invoice = bill(api, shop, total="1000")
    pay(api, invoice["id"], "400")

    response = pay(api, invoice["id"], amount)

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["amount"][0]["code"] == code
    assert invoice_state(shop, invoice["id"]) == (Decimal(400), "partially_paid", 1)


def test_a_void_bill_takes_no_payment_and_a_paid_one_cannot_be_voided(
    shop: Shop, api: Client
) -> None:
    mistaken = bill(api, shop, number="WRONG-1")
    paid = bill(api, shop, number="PAID-1", total="50")
    pay(api, paid["id"], "50")

    supplier_invoice_void_path = tenant_path(
        "purchasing:supplier-invoice-void", invoice_id=mistaken["id"]
    )
    assert post(api, supplier_invoice_void_path).json()["status"] == "void"
    refused = pay(api, mistaken["id"], "10")
    unvoidable = post(api, tenant_path("purchasing:supplier-invoice-void", invoice_id=paid["id"]))

    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "invoice_void"
    assert unvoidable.status_code == 409
    assert invoice_state(shop, mistaken["id"]) == (Decimal(0), "void", 0)
    assert invoice_state(shop, paid["id"]) == (Decimal(50), "paid", 1)


def test_payables_are_aged_by_days_overdue(shop: Shop) -> None:
    today = date(2026, 6, 30)
    with tenant_context(shop.tenant):
        other = supplier_create(name="Kisumu Millers", payment_terms_days=0)

        def invoice(number: str, due: date, total: str, supplier_id: int = shop.supplier.pk) -> int:
            return supplier_invoice_create(
                supplier_id=supplier_id,
                number=number,
                invoice_date=due - timedelta(days=200),
                due_date=due,
                total=Decimal(total),
                actor=None,
            ).pk

        # given bills due today (current), 1, 30, 31, 60, 61, 90 and 91 days ago
        invoice("current", today, "100")
        invoice("d1", today - timedelta(days=1), "200")
        invoice("d30", today - timedelta(days=30), "300")
        invoice("d31", today - timedelta(days=31), "400")
        invoice("d60", today - timedelta(days=60), "500", other.pk)
        invoice("d61", today - timedelta(days=61), "600", other.pk)
        invoice("d90", today - timedelta(days=90), "700", other.pk)
        d91 = invoice("d91", today - timedelta(days=91), "800", other.pk)
        # a part-paid bill counts what is left, paid and void ones count nothing
        part = invoice("part", today + timedelta(days=10), "1000")
        SupplierInvoice.objects.filter(pk=part).update(amount_paid=250, status="partially_paid")
        SupplierInvoice.objects.filter(pk=d91).update(amount_paid=300, status="partially_paid")
        paid = invoice("paid", today - timedelta(days=100), "9000")
        SupplierInvoice.objects.filter(pk=paid).update(amount_paid=9000, status="paid")
        void = invoice("void", today, "5000")
        SupplierInvoice.objects.filter(pk=void).update(status="void")

        report = payables_summary(today=today)

    # then, by hand: current 100 + 750; 1-30: 200 + 300; 31-60: 400 + 500; 61-90: 600 + 700;
    # over 90: 800 - 300
    assert report.buckets == {
        "current": Decimal("850"),
        "days_1_30": Decimal("500"),
        "days_31_60": Decimal("900"),
        "days_61_90": Decimal("1300"),
        "days_over_90": Decimal("500"),
    }
    assert report.outstanding == Decimal("4050")
    kisumu, mombasa = report.suppliers
    assert (kisumu.supplier_name, kisumu.outstanding, kisumu.invoice_count) == (
        "Kisumu Millers",
        Decimal("2300"),
        4,
    )
    assert (mombasa.supplier_name, mombasa.outstanding, mombasa.invoice_count) == (
        "Mombasa Wholesalers",
        Decimal("1750"),
        5,
    )
    assert mombasa.oldest_due_date == today - timedelta(days=31)
    assert mombasa.buckets["days_31_60"] == Decimal("400")
    assert kisumu.buckets["days_31_60"] == Decimal("500")


def test_the_payables_endpoint_ages_as_of_the_businesss_today(shop: Shop, api: Client) -> None:
    with tenant_context(shop.tenant):
        today = business_today()
    overdue = (today - timedelta(days=45)).isoformat()
    post(api, INVOICES, {"supplier": shop.supplier.pk, "number": "OLD", "total": "70.5",
                         "invoice_date": overdue, "due_date": overdue})  # fmt: skip
    bill(api, shop, number="NEW", total="29.5", invoice_date=today.isoformat())

    body = api.get(tenant_path("purchasing:payables-report")).json()

    assert body["as_of"] == today.isoformat()
    assert body["outstanding"] == kes("100.00")
    assert body["aging"] == {
        "current": kes("29.50"),
        "days_1_30": kes("0.00"),
        "days_31_60": kes("70.50"),
        "days_61_90": kes("0.00"),
        "days_over_90": kes("0.00"),
    }
    [row] = body["suppliers"]
    assert row["supplier"] == {"id": shop.supplier.pk, "name": "Mombasa Wholesalers"}
    assert row["invoice_count"] == 2
    with tenant_context(shop.tenant):
        assert SupplierPayment.objects.count() == 0
