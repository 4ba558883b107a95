"""Each business event posts its entry in the event's own transaction (docs/ledger.md)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from saas_platform.errors import Conflict, ValidationFailed
from tenant_apps.inventory.errors import InsufficientStock
from tenant_apps.inventory.services import (
    count_complete,
    count_open,
    count_record,
    stock_adjust,
    stock_opening_balance,
    transfer_create,
    transfer_dispatch,
    transfer_receive,
)
from tenant_apps.ledger.models import JournalEntry
from tenant_apps.ledger.services import expense_record
from tenant_apps.purchasing.services import (
    ReceiptLineInput,
    goods_receipt_create,
    supplier_invoice_create,
    supplier_payment_record,
)
from tests.ledger.conftest import Books, account, assert_books_sound, balance_of, receive_goods


def _lines(entry: JournalEntry) -> list[tuple[str | None, Decimal, Decimal]]:
    return [(x.account.role, x.debit.amount, x.credit.amount) for x in entry.lines.all()]


def test_a_goods_receipt_posts_stock_against_payables_at_its_cost(books: Books) -> None:
    with tenant_context(books.tenant):
        receive_goods(books, (books.sugar, "10", "120.00"), (books.rice, "4", "250.125"))
        entry = JournalEntry.objects.get(source="goods_receipt")
        assert entry.reference == "GRN-00001"
        # 10 x 120 + 4 x 250.125 = 2200.50
        assert _lines(entry) == [
            ("inventory", Decimal("2200.50"), Decimal(0)),
            ("accounts_payable", Decimal(0), Decimal("2200.50")),
        ]


def test_a_refused_receipt_posts_nothing(books: Books) -> None:
    with tenant_context(books.tenant):
        order = receive_goods(books, (books.sugar, "10", "120.00"))
        line = order.lines.get()
        # given the order is fully received, a further receipt is refused
        with pytest.raises(Conflict):
            goods_receipt_create(
                order_id=order.pk,
                lines=[ReceiptLineInput(line_id=line.pk, quantity=Decimal(1))],
                actor=None,
            )
        assert JournalEntry.objects.filter(source="goods_receipt").count() == 1


@pytest.mark.parametrize(
    ("method", "paid_from"),
    [
        ("cash", "cash_drawer"),
        ("bank_transfer", "bank"),
        ("cheque", "bank"),
        ("mobile_money", "mpesa_clearing"),
    ],
)
def test_a_supplier_payment_posts_payables_against_the_paying_account(
    books: Books, method: str, paid_from: str
) -> None:
    with tenant_context(books.tenant):
        invoice = supplier_invoice_create(
            supplier_id=books.supplier.pk,
            number="INV-1",
            invoice_date=books.tenant.created_at.date(),
            total=Decimal("1000"),
            actor=None,
        )
        payment = supplier_payment_record(
            invoice_id=invoice.pk, amount=Decimal("400"), method=method, actor=None
        )
        entry = JournalEntry.objects.get(source="supplier_payment")
        assert entry.reference == str(payment.pk)
        assert entry.date == payment.paid_on
        assert _lines(entry) == [
            ("accounts_payable", Decimal(400), Decimal(0)),
            (paid_from, Decimal(0), Decimal(400)),
        ]


def test_a_write_off_posts_shrinkage_at_the_fifo_cost_of_the_batches_used(books: Books) -> None:
    with tenant_context(books.tenant):
        receive_goods(books, (books.sugar, "3", "100.00"))
        receive_goods(books, (books.sugar, "5", "130.00"))
        # given 3 at 100 then 5 at 130, five damaged take 3 x 100 + 2 x 130 = 560
        stock_adjust(
            product=books.sugar, location=books.warehouse, quantity=Decimal(-5), reason="damage"
        )
        entry = JournalEntry.objects.get(source="stock_adjustment")
        assert _lines(entry) == [
            ("shrinkage", Decimal(560), Decimal(0)),
            ("inventory", Decimal(0), Decimal(560)),
        ]
        assert balance_of("inventory") == Decimal(300 + 650 - 560)


def test_found_stock_posts_back_at_the_cost_it_is_booked_at(books: Books) -> None:
    with tenant_context(books.tenant):
        stock_adjust(
            product=books.sugar, location=books.store, quantity=Decimal(2), reason="correction"
        )
        assert _lines(JournalEntry.objects.get(source="stock_adjustment")) == [
            ("inventory", Decimal(240), Decimal(0)),
            ("shrinkage", Decimal(0), Decimal(240)),
        ]


def test_a_refused_write_off_posts_nothing(books: Books) -> None:
    with tenant_context(books.tenant):
        with pytest.raises(InsufficientStock):
            stock_adjust(
                product=books.sugar, location=books.store, quantity=Decimal(-1), reason="theft"
            )
        assert not JournalEntry.objects.exists()


def test_a_count_posts_its_shortfalls_and_surpluses_in_one_entry(books: Books) -> None:
    with tenant_context(books.tenant):
        receive_goods(books, (books.sugar, "10", "100.00"), (books.rice, "2", "250.00"))
        count = count_open(location=books.warehouse)
        # sugar: 10 expected, 7 counted (3 x 100 lost); rice: 2 expected, 3 counted (1 x 250 found)
        count_record(
            count_id=count.pk, counted={books.sugar.pk: Decimal(7), books.rice.pk: Decimal(3)}
        )
        count_complete(count_id=count.pk)
        entry = JournalEntry.objects.get(source="stock_count")
        assert entry.reference == f"COUNT-{count.pk}"
        assert _lines(entry) == [
            ("shrinkage", Decimal(300), Decimal(0)),
            ("inventory", Decimal(0), Decimal(300)),
            ("inventory", Decimal(250), Decimal(0)),
            ("shrinkage", Decimal(0), Decimal(250)),
        ]


def test_a_count_without_variances_posts_nothing(books: Books) -> None:
    with tenant_context(books.tenant):
        receive_goods(books, (books.sugar, "10", "100.00"))
        count = count_open(location=books.warehouse)
        count_record(count_id=count.pk, counted={books.sugar.pk: Decimal(10)})
        count_complete(count_id=count.pk)
        assert not JournalEntry.objects.filter(source="stock_count").exists()


def test_opening_stock_posts_inventory_against_equity(books: Books) -> None:
    with tenant_context(books.tenant):
        stock_opening_balance(product=books.rice, location=books.store, quantity=Decimal(4))
        assert _lines(JournalEntry.objects.get(source="opening_balance")) == [
            ("inventory", Decimal(1000), Decimal(0)),
            ("owner_equity", Decimal(0), Decimal(1000)),
        ]


def test_a_transfer_between_own_locations_posts_nothing(books: Books) -> None:
    with tenant_context(books.tenant):
        receive_goods(books, (books.sugar, "10", "100.00"))
        before = JournalEntry.objects.count()
        transfer = transfer_create(
            source=books.warehouse, destination=books.store, lines=[(books.sugar, Decimal(4))]
        )
        transfer_dispatch(transfer_id=transfer.pk)
        transfer_receive(transfer_id=transfer.pk)
        assert JournalEntry.objects.count() == before


def test_an_expense_posts_its_account_against_where_the_money_came_from(books: Books) -> None:
    with tenant_context(books.tenant):
        expense = expense_record(
            category_id=account("expense_rent").pk,
            paid_from_id=account("bank").pk,
            amount=Decimal("15000"),
            payee="Landlord",
            actor=None,
        )
        assert _lines(expense.entry) == [
            ("expense_rent", Decimal(15000), Decimal(0)),
            ("bank", Decimal(0), Decimal(15000)),
        ]
        assert_books_sound()


@pytest.mark.parametrize(
    ("category", "paid_from", "amount", "field", "code"),
    [
        ("bank", "bank", "10", "category", "not_an_expense"),
        ("expense_rent", "inventory", "10", "paid_from", "not_a_paying_account"),
        ("expense_rent", "bank", "0", "amount", "not_positive"),
        ("expense_rent", "bank", "10.001", "amount", "too_precise"),
    ],
)
def test_a_bad_expense_is_refused_and_posts_nothing(
    books: Books, category: str, paid_from: str, amount: str, field: str, code: str
) -> None:
    with tenant_context(books.tenant):
        with pytest.raises(ValidationFailed) as refused:
            expense_record(
                category_id=account(category).pk,
                paid_from_id=account(paid_from).pk,
                amount=Decimal(amount),
                actor=None,
            )
        assert code in {e["code"] for e in refused.value.fields[field]}
        assert not JournalEntry.objects.exists()
