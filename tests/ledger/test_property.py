"""Random sequences of business operations never leave the books unbalanced."""

from __future__ import annotations

import contextlib
import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import F, Sum
from django_tenants.utils import tenant_context
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenant_apps.inventory.errors import InsufficientStock
from tenant_apps.inventory.models import Batch
from tenant_apps.inventory.services import count_complete, count_open, count_record, stock_adjust
from tenant_apps.ledger.models import JournalEntry
from tenant_apps.ledger.posting import PostingLine, entry_reverse
from tenant_apps.ledger.services import expense_record, manual_entry_post
from tenant_apps.purchasing.services import supplier_invoice_create, supplier_payment_record
from tests.ledger.conftest import Books, account, assert_books_sound, balance_of, receive_goods

DAY = date(2026, 6, 15)
_invoice_numbers = itertools.count(1)

quantities = st.integers(min_value=1, max_value=20)
cents = st.integers(min_value=1, max_value=50_000).map(lambda n: Decimal(n) / 100)
roles = st.sampled_from(["cash_drawer", "bank", "owner_equity", "sales_revenue", "expense_other"])

operations = st.one_of(
    st.tuples(st.just("receipt"), st.booleans(), quantities, cents),
    st.tuples(
        st.just("payment"), cents, st.sampled_from(["cash", "bank_transfer", "mobile_money"])
    ),
    st.tuples(
        st.just("write_off"), st.booleans(), quantities, st.sampled_from(["damage", "theft"])
    ),
    st.tuples(st.just("found"), st.booleans(), quantities),
    st.tuples(st.just("count"), st.booleans(), st.integers(min_value=0, max_value=30)),
    st.tuples(st.just("expense"), cents, st.sampled_from(["cash_drawer", "bank"])),
    st.tuples(st.just("manual"), roles, roles, cents),
    st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=50)),
)


def _apply(books: Books, op: tuple[Any, ...]) -> None:
    kind = op[0]
    product = lambda first: books.sugar if first else books.rice  # noqa: E731
    if kind == "receipt":
        receive_goods(books, (product(op[1]), str(op[2]), str(op[3])))
    elif kind == "payment":
        invoice = supplier_invoice_create(
            supplier_id=books.supplier.pk,
            number=f"P-{next(_invoice_numbers)}",
            invoice_date=DAY,
            total=op[1],
            actor=None,
        )
        supplier_payment_record(invoice_id=invoice.pk, amount=op[1], method=op[2], actor=None)
    elif kind == "write_off":
        # Short stock is refused whole, with nothing written; the sequence goes on.
        with contextlib.suppress(InsufficientStock):
            stock_adjust(
                product=product(op[1]),
                location=books.warehouse,
                quantity=Decimal(-op[2]),
                reason=op[3],
            )
    elif kind == "found":
        stock_adjust(
            product=product(op[1]),
            location=books.warehouse,
            quantity=Decimal(op[2]),
            reason="correction",
        )
    elif kind == "count":
        count = count_open(location=books.warehouse, products=[product(op[1])])
        count_record(count_id=count.pk, counted={product(op[1]).pk: Decimal(op[2])})
        count_complete(count_id=count.pk)
    elif kind == "expense":
        expense_record(
            category_id=account("expense_other").pk,
            paid_from_id=account(op[2]).pk,
            amount=op[1],
            date=DAY,
            actor=None,
        )
    elif kind == "manual" and op[1] != op[2]:
        manual_entry_post(
            date=DAY,
            memo="random",
            lines=[PostingLine(op[1], debit=op[3]), PostingLine(op[2], credit=op[3])],
            actor=None,
        )
    elif kind == "reverse":
        candidates = list(
            JournalEntry.objects.filter(reversal_of=None, reversed_by=None)
            .exclude(source="reversal")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if candidates:
            entry_reverse(entry_id=candidates[op[1] % len(candidates)], date=DAY, actor=None)


def _stock_at_cost() -> Decimal:
    value = Batch.objects.aggregate(v=Sum(F("quantity_remaining") * F("unit_cost")))["v"]
    return value or Decimal(0)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(operations, min_size=1, max_size=8))
def test_random_trading_keeps_the_books_balanced(books: Books, ops: list[tuple[Any, ...]]) -> None:
    with tenant_context(books.tenant):
        for op in ops:
            _apply(books, op)
            assert_books_sound()
        # Stock movements post at exact cents, so the inventory account follows the batches to
        # the cent — except where a reversal or a manual entry moved it on purpose.
        touched = JournalEntry.objects.filter(
            source__in=["reversal", "manual"], lines__account__role="inventory"
        )
        if not touched.exists():
            assert balance_of("inventory") == _stock_at_cost()
