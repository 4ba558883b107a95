"""A trading business for the ledger tests, driven through the real services of every app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.models import Product
from tenant_apps.inventory.models import Location
from tenant_apps.ledger.models import Account, JournalLine
from tenant_apps.ledger.selectors import trial_balance
from tenant_apps.purchasing.models import PurchaseOrder, Supplier
from tenant_apps.purchasing.services import (
    OrderLineInput,
    ReceiptLineInput,
    goods_receipt_create,
    purchase_order_create,
    purchase_order_place,
    supplier_create,
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
