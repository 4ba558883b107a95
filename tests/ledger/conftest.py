"""A trading business for the ledger tests, driven through the real services of every app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.models import Product
from tenant_apps.inventory.models import Location
from tenant_apps.ledger.models import Account, JournalLine
from tenant_apps.ledger.posting import PostingLine
from tenant_apps.ledger.selectors import trial_balance
from tenant_apps.ledger.services import budget_set, expense_record, manual_entry_post
from tenant_apps.purchasing.models import PurchaseOrder, Supplier
from tenant_apps.purchasing.services import (
    OrderLineInput,
    ReceiptLineInput,
    goods_receipt_create,
    purchase_order_create,
    purchase_order_place,
    supplier_create,
    supplier_invoice_create,
    supplier_payment_record,
)
from tests.support.catalog import stocked_product


@dataclass
class Books:
    tenant: Tenant
    warehouse: Location
    store: Location
    sugar: Product
    rice: Product
    supplier: Supplier


@pytest.fixture
def books(business: Tenant) -> Books:
    with tenant_context(business):
        return Books(
            tenant=business,
            warehouse=Location.objects.get(code="WH"),
            store=Location.objects.get(code="STORE"),
            sugar=stocked_product("Sugar 1 kg", "SUGAR-1", "120.00"),
            rice=stocked_product("Rice 2 kg", "RICE-2", "250.00"),
            supplier=supplier_create(name="Mombasa Wholesalers"),
        )


def receive_goods(
    books: Books, *lines: tuple[Product, str, str], received_on: date | None = None
) -> PurchaseOrder:
    """Orders and receives ``(product, quantity, unit cost)`` lines in full, in the warehouse."""
    order = purchase_order_create(
        supplier_id=books.supplier.pk,
        destination_id=books.warehouse.pk,
        lines=[
            OrderLineInput(product_id=p.pk, quantity=Decimal(q), unit_cost=Decimal(c))
            for p, q, c in lines
        ],
        actor=None,
    )
    order = purchase_order_place(order_id=order.pk)
    goods_receipt_create(
        order_id=order.pk,
        lines=[
            ReceiptLineInput(line_id=line.pk, quantity=line.quantity_ordered)
            for line in order.lines.order_by("pk")
        ],
        actor=None,
    )
    return order


def balance_of(role: str, *, as_of: date | None = None) -> Decimal:
    """Debits minus credits of the account with ``role``."""
    lines = JournalLine.objects.filter(account__role=role)
    if as_of is not None:
        lines = lines.filter(entry__date__lte=as_of)
    return sum((x.debit.amount - x.credit.amount for x in lines), Decimal(0))


def account(role: str) -> Account:
    return Account.objects.get(role=role)


def assert_books_sound() -> None:
    """Every entry balances, has two lines or more, and the trial balance nets to zero."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT entry_id FROM ledger_journalline GROUP BY entry_id "
            "HAVING sum(debit) <> sum(credit) OR count(*) < 2"
        )
        assert cursor.fetchall() == []
    report = trial_balance(as_of=date(2999, 12, 31))
    assert report.total_debit == report.total_credit


NAIROBI = ZoneInfo("Africa/Nairobi")


def _entry(day: date, memo: str, *lines: tuple[str, str, str]) -> None:
    manual_entry_post(
        date=day,
        memo=memo,
        lines=[
            PostingLine(role, debit=Decimal(d) if d else None, credit=Decimal(c) if c else None)
            for role, d, c in lines
        ],
        actor=None,
    )


def trade_june(books: Books) -> None:
    """The month every figure below is computed from (KES)."""
    with tenant_context(books.tenant):
        _entry(
            date(2026, 5, 28), "Float", ("cash_drawer", "1000", ""), ("owner_equity", "", "1000")
        )
        _entry(date(2026, 6, 1), "Capital", ("bank", "50000", ""), ("owner_equity", "", "50000"))
        # Jun 2: 100 sugar at 120 and 20 rice at 250 received: 17,000 on credit
        order = purchase_order_create(
            supplier_id=books.supplier.pk,
            destination_id=books.warehouse.pk,
            lines=[
                OrderLineInput(
                    product_id=books.sugar.pk, quantity=Decimal(100), unit_cost=Decimal(120)
                ),
                OrderLineInput(
                    product_id=books.rice.pk, quantity=Decimal(20), unit_cost=Decimal(250)
                ),
            ],
            actor=None,
        )
        order = purchase_order_place(order_id=order.pk)
        goods_receipt_create(
            order_id=order.pk,
            lines=[
                ReceiptLineInput(line_id=x.pk, quantity=x.quantity_ordered)
                for x in order.lines.all()
            ],
            actor=None,
            received_at=datetime(2026, 6, 2, 10, 0, tzinfo=NAIROBI),
        )
        # Jun 5: takings of 11,600 including 16% VAT, on goods that cost 6,000
        _entry(
            date(2026, 6, 5),
            "Takings",
            ("cash_drawer", "11600", ""),
            ("sales_revenue", "", "10000"),
            ("vat_payable", "", "1600"),
        )
        _entry(
            date(2026, 6, 5),
            "Cost of takings",
            ("cost_of_goods_sold", "6000", ""),
            ("inventory", "", "6000"),
        )
        # Jun 10: the supplier's bill, 10,000 of it paid by bank transfer
        invoice = supplier_invoice_create(
            supplier_id=books.supplier.pk,
            number="MW-881",
            invoice_date=date(2026, 6, 10),
            total=Decimal(17000),
            actor=None,
        )
        supplier_payment_record(
            invoice_id=invoice.pk,
            amount=Decimal(10000),
            method="bank_transfer",
            paid_on=date(2026, 6, 10),
            actor=None,
        )
        expense_record(
            category_id=account("expense_rent").pk,
            paid_from_id=account("bank").pk,
            amount=Decimal(8000),
            date=date(2026, 6, 15),
            payee="Landlord",
            actor=None,
        )
        expense_record(
            category_id=account("expense_transport").pk,
            paid_from_id=account("cash_drawer").pk,
            amount=Decimal(1500),
            date=date(2026, 6, 20),
            actor=None,
        )
        # Jun 25: electricity bill with 320 input VAT
        _entry(
            date(2026, 6, 25),
            "Electricity",
            ("expense_utilities", "2000", ""),
            ("vat_receivable", "320", ""),
            ("bank", "", "2320"),
        )
        # July: outside the month
        _entry(
            date(2026, 7, 2),
            "July takings",
            ("cash_drawer", "5800", ""),
            ("sales_revenue", "", "5000"),
            ("vat_payable", "", "800"),
        )
        budget_set(
            account_id=account("expense_rent").pk, month=date(2026, 6, 1), amount=Decimal(7500)
        )
        budget_set(
            account_id=account("expense_transport").pk,
            month=date(2026, 6, 17),
            amount=Decimal(2000),
        )
