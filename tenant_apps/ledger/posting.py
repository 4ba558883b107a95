"""The one way anything reaches the books: ``entry_post`` and ``entry_reverse``.

Every event that moves value (a goods receipt, a supplier payment, a write-off, an expense)
calls ``entry_post`` inside its own transaction, so the event and its entry commit or roll back
together. The checks here give a person a message they can act on; the database repeats the
important ones (balance, permanence, lock date) for any code that bypasses this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from moneyed import Money

from saas_platform.errors import Conflict, FieldErrorCollector
from saas_platform.locking import lock_found
from saas_platform.money import round_money
from saas_platform.tenancy import business_currency
from shared_apps.users.actors import person_or_none
from tenant_apps.ledger.models import Account, JournalEntry, JournalLine, LedgerSettings

ZERO = Decimal(0)


@dataclass(frozen=True)
class PostingLine:
    """One side of an entry: an account (by role, else by code) and a debit or a credit."""

    account: str
    debit: Decimal | None = None
    credit: Decimal | None = None


def lock_date() -> date | None:
    settings = LedgerSettings.objects.filter(pk=1).first()
    return settings.lock_date if settings else None


def _refuse_if_locked(day: date) -> None:
    locked = lock_date()
    if locked is not None and day <= locked:
        raise Conflict(
            f"The books are locked through {locked:%Y-%m-%d}; post on a later date.",
            code="period_locked",
        )


def _accounts(keys: set[str]) -> dict[str, Account]:
    found = list(Account.objects.filter(Q(role__in=keys) | Q(code__in=keys)))
    by_key = {a.code: a for a in found}
    # A role wins over a code that happens to spell the same.
    by_key.update({a.role: a for a in found if a.role})
    return by_key


def _amount(value: Decimal | None, currency: str) -> Decimal:
    if value is None:
        return ZERO
    return round_money(Money(Decimal(value), currency)).amount


def entry_post(
    *,
    date: date,
    memo: str,
    lines: Sequence[PostingLine],
    source: str,
    reference: str = "",
    actor: Any = None,
    reversal_of: JournalEntry | None = None,
) -> JournalEntry:
    """Writes one balanced entry in the caller's transaction (or its own, when there is none).

    Each line is rounded to the currency's minor unit before the entry is checked, so what is
    checked is exactly what is stored.
    """
    with transaction.atomic():
        currency = business_currency()
        errors = FieldErrorCollector()
        if not memo.strip():
            errors.add("memo", "blank", "Say what the entry is for.")
        if len(lines) < 2:
            errors.add("lines", "too_few", "An entry needs at least two lines.")
        accounts = _accounts({line.account for line in lines})
        rounded: list[tuple[Account | None, Decimal, Decimal]] = []
        for index, line in enumerate(lines):
            at = f"lines[{index}]"
            debit, credit = _amount(line.debit, currency), _amount(line.credit, currency)
            account = accounts.get(line.account)
            if account is None:
                errors.add(f"{at}.account", "does_not_exist", f"No account {line.account}.")
            elif not account.is_active:
                errors.add(f"{at}.account", "inactive", f"{account} is closed to postings.")
            if debit < 0 or credit < 0:
                errors.add(at, "negative", "Amounts cannot be negative.")
            elif (debit > 0) == (credit > 0):
                errors.add(at, "one_side", "Give each line a debit or a credit above zero.")
            rounded.append((account, debit, credit))
        debits = sum((d for _, d, _ in rounded), ZERO)
        credits = sum((c for _, _, c in rounded), ZERO)
        if not errors and debits != credits:
            errors.add(
                "lines",
                "unbalanced",
                f"Debits ({debits}) and credits ({credits}) must be equal.",
            )
        errors.raise_if_any()
        _refuse_if_locked(date)
        try:
            with transaction.atomic():
                entry = JournalEntry.objects.create(
                    date=date,
                    memo=memo.strip()[:300],
                    source=source,
                    reference=reference,
                    reversal_of=reversal_of,
                    created_by=person_or_none(actor),
                )
        except IntegrityError as error:
            raise Conflict(
                f"{source} {reference} is already in the books.", code="already_posted"
            ) from error
        JournalLine.objects.bulk_create(
            [
                JournalLine(
                    entry=entry,
                    account=account,
                    debit=Money(debit, currency),
                    credit=Money(credit, currency),
                )
                for account, debit, credit in rounded
            ]
        )
        return entry


def entry_reverse(*, entry_id: int, date: date, memo: str = "", actor: Any = None) -> JournalEntry:
    """Cancels an entry by posting its mirror image; the original stays as it was."""
    with transaction.atomic():
        # The row lock makes two reversals of one entry queue; the second then sees the first.
        original = lock_found(JournalEntry, pk=entry_id, missing="No such journal entry.")
        if original.reversal_of_id is not None:
            raise Conflict(
                "This entry is itself a reversal; post a new entry instead.",
                code="entry_is_reversal",
            )
        if JournalEntry.objects.filter(reversal_of=original).exists():
            raise Conflict("This entry has already been reversed.", code="already_reversed")
        lines = [
            PostingLine(
                account=line.account.role or line.account.code,
                debit=line.credit.amount or None,
                credit=line.debit.amount or None,
            )
            for line in original.lines.select_related("account")
        ]
        return entry_post(
            date=date,
            memo=memo or f"Reversal of entry {original.pk}: {original.memo}",
            lines=lines,
            source="reversal",
            reference=str(original.pk),
            actor=actor,
            reversal_of=original,
        )


def lock_date_set(*, lock_date: date | None) -> LedgerSettings:
    """Closes the books through ``lock_date`` (None reopens them)."""
    with transaction.atomic():
        settings, _ = LedgerSettings.objects.update_or_create(
            pk=1, defaults={"lock_date": lock_date}
        )
        return settings
