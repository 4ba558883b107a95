"""What each business event posts (the posting map of docs/ledger.md), called by the services
of the other apps inside their own transactions.

Functions here take plain values, not the other apps' models, so the ledger depends on no
other domain app and they may all depend on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from moneyed import Money

from tenant_apps.ledger.business import business_date
from tenant_apps.ledger.models import JournalEntry
from tenant_apps.ledger.posting import PostingLine, entry_post

# How a supplier was paid decides which asset the money left.
PAYMENT_METHOD_ACCOUNTS = {
    "cash": "cash_drawer",
    "bank_transfer": "bank",
    "cheque": "bank",
    "mobile_money": "mpesa_clearing",
}


def _total(costs: Iterable[Money]) -> Decimal:
    return sum((cost.amount for cost in costs), Decimal(0))


def _pair(debit: str, credit: str, amount: Decimal) -> list[PostingLine]:
    return [PostingLine(debit, debit=amount), PostingLine(credit, credit=amount)]


def goods_receipt_posted(
    *, reference: str, day: date, costs: Iterable[Money], memo: str, actor: Any
) -> JournalEntry | None:
    """Stock came in on credit: Dr inventory, Cr accounts payable, at the receipt's cost."""
    amount = _total(costs)
    if amount <= 0:  # free goods (samples) add stock but no value
        return None
    return entry_post(
        date=day,
        memo=memo,
        lines=_pair("inventory", "accounts_payable", amount),
        source="goods_receipt",
        reference=reference,
        actor=actor,
    )


def supplier_payment_posted(
    *, payment_id: int, day: date, amount: Money, method: str, memo: str, actor: Any
) -> JournalEntry:
    """A bill paid: Dr accounts payable, Cr the cash, bank or mobile-money account used."""
    return entry_post(
        date=day,
        memo=memo,
        lines=_pair("accounts_payable", PAYMENT_METHOD_ACCOUNTS[method], amount.amount),
        source="supplier_payment",
        reference=str(payment_id),
        actor=actor,
    )


def stock_loss_posted(
    *, costs: Iterable[Money], memo: str, source: str, reference: str = "", actor: Any
) -> JournalEntry | None:
    """Stock gone (damage, theft, expiry, a count short): Dr shrinkage, Cr inventory."""
    amount = _total(costs)
    if amount <= 0:
        return None
    return entry_post(
        date=business_date(),
        memo=memo,
        lines=_pair("shrinkage", "inventory", amount),
        source=source,
        reference=reference,
        actor=actor,
    )


def stock_gain_posted(
    *, costs: Iterable[Money], memo: str, source: str, reference: str = "", actor: Any
) -> JournalEntry | None:
    """Stock found: Dr inventory, Cr shrinkage, at the cost it was booked in at."""
    amount = _total(costs)
    if amount <= 0:
        return None
    return entry_post(
        date=business_date(),
        memo=memo,
        lines=_pair("inventory", "shrinkage", amount),
        source=source,
        reference=reference,
        actor=actor,
    )


def count_variances_posted(
    *, losses: Iterable[Money], gains: Iterable[Money], memo: str, reference: str, actor: Any
) -> JournalEntry | None:
    """A completed count: one entry for its shortfalls and surpluses together."""
    lost, found = _total(losses), _total(gains)
    lines: list[PostingLine] = []
    if lost > 0:
        lines += _pair("shrinkage", "inventory", lost)
    if found > 0:
        lines += _pair("inventory", "shrinkage", found)
    if not lines:
        return None
    return entry_post(
        date=business_date(),
        memo=memo,
        lines=lines,
        source="stock_count",
        reference=reference,
        actor=actor,
    )


def opening_stock_posted(*, cost: Money, memo: str, actor: Any) -> JournalEntry | None:
    """Stock the business owned before Duka: Dr inventory, Cr owner's equity."""
    if cost.amount <= 0:
        return None
    return entry_post(
        date=business_date(),
        memo=memo,
        lines=_pair("inventory", "owner_equity", cost.amount),
        source="opening_balance",
        actor=actor,
    )
