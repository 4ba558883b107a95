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

from saas_platform.tenancy import business_today
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


def _shrinkage_posted(
    *, lost: Decimal, found: Decimal, memo: str, source: str, reference: str, actor: Any
) -> JournalEntry | None:
    """Stock gone is Dr shrinkage, Cr inventory; stock found the other way round; dated today."""
    lines: list[PostingLine] = []
    if lost > 0:
        lines += _pair("shrinkage", "inventory", lost)
    if found > 0:
        lines += _pair("inventory", "shrinkage", found)
    if not lines:  # nothing of value moved
        return None
    return entry_post(
        date=business_today(),
        memo=memo,
        lines=lines,
        source=source,
        reference=reference,
        actor=actor,
    )


def stock_loss_posted(
    *, costs: Iterable[Money], memo: str, source: str, reference: str = "", actor: Any
) -> JournalEntry | None:
    """Stock gone (damage, theft, expiry, a count short): Dr shrinkage, Cr inventory."""
    return _shrinkage_posted(
        lost=_total(costs),
        found=Decimal(0),
        memo=memo,
        source=source,
        reference=reference,
        actor=actor,
    )


def stock_gain_posted(
    *, costs: Iterable[Money], memo: str, source: str, reference: str = "", actor: Any
) -> JournalEntry | None:
    """Stock found: Dr inventory, Cr shrinkage, at the cost it was booked in at."""
    return _shrinkage_posted(
        lost=Decimal(0),
        found=_total(costs),
        memo=memo,
        source=source,
        reference=reference,
        actor=actor,
    )


def count_variances_posted(
    *, losses: Iterable[Money], gains: Iterable[Money], memo: str, reference: str, actor: Any
) -> JournalEntry | None:
    """A completed count: one entry for its shortfalls and surpluses together."""
    return _shrinkage_posted(
        lost=_total(losses),
        found=_total(gains),
        memo=memo,
        source="stock_count",
        reference=reference,
        actor=actor,
    )


def opening_stock_posted(*, cost: Money, memo: str, actor: Any) -> JournalEntry | None:
    """Stock the business owned before Duka: Dr inventory, Cr owner's equity."""
    if cost.amount <= 0:
        return None
    return entry_post(
        date=business_today(),
        memo=memo,
        lines=_pair("inventory", "owner_equity", cost.amount),
        source="opening_balance",
        actor=actor,
    )


# How a customer paid their account decides which asset the money went to.
CUSTOMER_PAYMENT_ACCOUNTS = {
    "cash": "cash_drawer",
    "card": "card_clearing",
    "bank_transfer": "bank",
    "mpesa": "mpesa_clearing",
    "airtel": "airtel_clearing",
}


def customer_payment_posted(
    *, entry_id: int, day: date, amount: Money, method: str, memo: str, actor: Any
) -> JournalEntry:
    """A customer paid their account: Dr the cash, card, bank or mobile-money account used,
    Cr accounts receivable."""
    return entry_post(
        date=day,
        memo=memo,
        lines=_pair(CUSTOMER_PAYMENT_ACCOUNTS[method], "accounts_receivable", amount.amount),
        source="customer_payment",
        reference=str(entry_id),
        actor=actor,
    )


def credit_adjustment_posted(
    *, entry_id: int, day: date, amount: Money, memo: str, actor: Any
) -> JournalEntry:
    """A manager's change to what a customer owes: a write-off (negative) is Dr other expenses,
    Cr accounts receivable; a correction upwards (positive) the other way round."""
    size = abs(amount.amount)
    lines = (
        _pair("accounts_receivable", "expense_other", size)
        if amount.amount > 0
        else _pair("expense_other", "accounts_receivable", size)
    )
    return entry_post(
        date=day,
        memo=memo,
        lines=lines,
        source="credit_adjustment",
        reference=str(entry_id),
        actor=actor,
    )


# How a till was paid decides which asset the money went to. UPI arrives through a payment
# aggregator, which settles like a card gateway.
TENDER_ACCOUNTS = {
    "cash": "cash_drawer",
    "card": "card_clearing",
    "mpesa": "mpesa_clearing",
    "airtel": "airtel_clearing",
    "upi": "card_clearing",
    "account": "accounts_receivable",
    # Points are a discount the business gives, paid for out of its margin.
    "loyalty": "discounts",
}


def _nonzero(lines: list[PostingLine]) -> list[PostingLine]:
    return [line for line in lines if (line.debit or 0) > 0 or (line.credit or 0) > 0]


def sale_posted(
    *,
    reference: str,
    day: date,
    memo: str,
    revenue: Decimal,
    discounts: Decimal,
    tax: Decimal,
    tenders: dict[str, Decimal],
    cost: Decimal,
    actor: Any,
) -> JournalEntry:
    """A completed sale: Dr what paid for it (per tender), Dr discounts given, Cr revenue at
    list price, Cr VAT payable; and Dr cost of goods sold, Cr inventory at FIFO cost."""
    lines = [PostingLine(TENDER_ACCOUNTS[m], debit=a) for m, a in sorted(tenders.items())]
    lines += [
        PostingLine("discounts", debit=discounts),
        PostingLine("sales_revenue", credit=revenue),
        PostingLine("vat_payable", credit=tax),
        PostingLine("cost_of_goods_sold", debit=cost),
        PostingLine("inventory", credit=cost),
    ]
    return entry_post(
        date=day,
        memo=memo,
        lines=_nonzero(lines),
        source="sale",
        reference=reference,
        actor=actor,
    )


def sale_return_posted(
    *,
    reference: str,
    day: date,
    memo: str,
    net: Decimal,
    tax: Decimal,
    refund_account: str,
    cost_restocked: Decimal,
    actor: Any,
) -> JournalEntry:
    """Goods brought back: Dr sales returns (net), Dr VAT payable, Cr whatever refunded them;
    restocked goods go back to inventory at the cost they left at (Cr cost of goods sold)."""
    lines = [
        PostingLine("sales_returns", debit=net),
        PostingLine("vat_payable", debit=tax),
        PostingLine(refund_account, credit=net + tax),
        PostingLine("inventory", debit=cost_restocked),
        PostingLine("cost_of_goods_sold", credit=cost_restocked),
    ]
    return entry_post(
        date=day,
        memo=memo,
        lines=_nonzero(lines),
        source="sale_return",
        reference=reference,
        actor=actor,
    )


def drawer_cash_posted(
    *, reference: str, amount: Decimal, into_drawer: bool, account: str, memo: str, actor: Any
) -> JournalEntry:
    """Cash put into a till (Dr cash drawer) or taken out (Cr cash drawer), against ``account``;
    also the shortfall or surplus found when a shift's cash is counted."""
    lines = (
        _pair("cash_drawer", account, amount)
        if into_drawer
        else _pair(account, "cash_drawer", amount)
    )
    return entry_post(
        date=business_today(),
        memo=memo,
        lines=lines,
        source="drawer_cash",
        reference=reference,
        actor=actor,
    )
