"""Completing a paid sale: its stock out, its journal entry, the customer's points, its receipt
number, and the ``sale_completed`` signal after commit.

A sale paid at once completes inside the checkout (``sale_stock_take`` then ``sale_finish``); a
sale that waited for a gateway completes when its last payment succeeds (``sale_complete``,
which takes the stock held for it). Nothing here commits: the caller's transaction holds.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from functools import partial
from typing import Any

from auditlog.context import disable_auditlog
from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone
from moneyed import Money

from saas_platform.errors import NotFound
from saas_platform.tenancy import business_today, current_schema
from shared_apps.users.actors import person_or_none
from tenant_apps.customers.services import loyalty_earn
from tenant_apps.inventory.errors import InsufficientStock, StockDrift
from tenant_apps.inventory.models import MovementReason
from tenant_apps.inventory.stock import stock_take
from tenant_apps.ledger.events import sale_posted
from tenant_apps.sales.models import (
    Sale,
    SaleLine,
    SaleStatus,
    Tender,
    TenderMethod,
    TenderStatus,
    sales_settings,
)
from tenant_apps.sales.services.stock_holds import (
    in_stock_order,
    sale_stock_take_held,
    short_stock,
)

# Sent once per completed sale, after commit: the billing issue meters sales from it.
sale_completed = Signal()
ZERO = Decimal(0)


def sale_announce(sale: Sale) -> None:
    """Sends ``sale_completed`` for ``sale`` once the caller's transaction commits."""
    schema = current_schema()
    transaction.on_commit(lambda: sale_completed.send(sender=Sale, sale_id=sale.pk, schema=schema))


def sale_stock_take(
    *, sale: Sale, lines: list[SaleLine], actor: Any, offline: bool = False
) -> None:
    """Takes the lines' stock at the sale's till, FIFO, and sets each line's cost; refuses the
    whole sale (``ShortStock``) if a line is short, unless the business sells below zero or the
    sale was made offline (its goods have already left: sold below zero and flagged)."""
    location = sale.register.location
    reference = str(sale.uuid)
    # Whether the business sells below zero matters only for a short line; most checkouts
    # never ask.
    allow_negative: bool | None = None
    for line in in_stock_order(lines):
        take = partial(
            stock_take,
            product=line.product,
            location=location,
            quantity=line.quantity,
            reason=MovementReason.SALE,
            reference=reference,
            actor=person_or_none(actor),
        )
        try:
            consumed = take()
        except StockDrift:
            raise
        except InsufficientStock as error:
            # A refused removal wrote nothing, so it can be tried again below zero.
            if allow_negative is None:
                allow_negative = sales_settings().allow_negative_stock
            if not allow_negative and not offline:
                raise short_stock(lines, location) from error
            # The stock alert (negative_stock) is raised by the removal itself.
            sale.short_stock_flagged = offline and not allow_negative
            consumed = take(allow_negative=True)
        line.cost = Money(sum((c.cost.amount for c in consumed), ZERO), line.cost.currency)


def sale_finish(*, sale: Sale, lines: list[SaleLine], tenders: list[Tender], actor: Any) -> None:
    """Books a fully paid sale, numbers it and marks it completed (stock is already taken)."""
    currency = sale.total.currency
    cost = sum((line.cost.amount for line in lines), ZERO)
    SaleLine.objects.bulk_update(lines, ["cost"])
    by_method: dict[str, Decimal] = defaultdict(Decimal)
    for tender in tenders:
        if tender.amount.amount > 0:
            by_method[tender.method] += tender.amount.amount
    # A sale's entry is named by the sale (source and reference), carries its author and can
    # never change (database triggers): an audit record of it would add nothing but a queue,
    # since audit records of one business are chained one at a time.
    with disable_auditlog():
        sale_posted(
            reference=str(sale.uuid),
            day=business_today(),
            memo=f"Sale at {sale.register.name}",
            revenue=sale.subtotal.amount,
            discounts=sale.discount_total.amount,
            tax=sale.tax_total.amount,
            tenders=dict(by_method),
            cost=cost,
            actor=actor,
        )
    if sale.customer_id is not None:
        # Points are earned on what was paid for with money, not on what points paid for.
        paid = sale.total.amount - by_method.get(TenderMethod.LOYALTY, ZERO)
        if paid > 0:
            loyalty_earn(
                customer_id=sale.customer_id,
                spend=Money(paid, currency),
                reference=str(sale.uuid),
            )
    sale.cost_total = Money(cost, currency)
    sale.paid_total = Money(sum(by_method.values(), ZERO), currency)
    sale.status = SaleStatus.COMPLETED
    sale.completed_at = timezone.now()
    # Last, so the till's row is locked only for the few statements to the commit.
    sale.receipt_number = _next_receipt_number(sale.register_id)
    sale.save()


def _next_receipt_number(register_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE sales_register SET next_receipt_number = next_receipt_number + 1 "
            "WHERE id = %s RETURNING next_receipt_number - 1",
            [register_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise NotFound("No such till.")
    return int(row[0])


def sale_complete(*, sale: Sale, actor: Any = None) -> Sale:
    """Completes a sale whose pending payments have all succeeded (inside the caller's
    transaction, with the sale row locked): takes the held stock, books, numbers."""
    lines = list(sale.lines.select_related("product"))
    tenders = list(sale.tenders.all())
    if any(t.status != TenderStatus.SETTLED for t in tenders if t.amount.amount > 0):
        return sale
    sale_stock_take_held(sale=sale, lines=lines, actor=actor)
    sale_finish(sale=sale, lines=lines, tenders=tenders, actor=actor or sale.cashier)
    sale_announce(sale)
    return sale
