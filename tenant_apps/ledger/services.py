"""Ledger actions other than posting itself: accounts, expenses, budgets, manual entries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from moneyed import Money

from saas_platform.errors import Conflict, FieldErrorCollector, ValidationFailed
from saas_platform.locking import lock_found
from saas_platform.money import round_money
from saas_platform.tenancy import business_currency, business_today
from shared_apps.users.actors import person_or_none
from tenant_apps.ledger.models import Account, AccountType, Budget, Expense
from tenant_apps.ledger.posting import PostingLine, entry_post

# Money can leave the business from these when it pays an expense.
PAYING_ROLES = ("cash_drawer", "bank", "mpesa_clearing", "airtel_clearing", "card_clearing")


def _exact_amount(
    value: Decimal, field: str, errors: FieldErrorCollector, *, positive: bool
) -> Money:
    currency = business_currency()
    amount = Decimal(value)
    if amount < 0 or (positive and amount == 0):
        errors.add(field, "not_positive", "The amount must be above zero.")
    # 3000.0000 from a serializer is fine; 10.005 KES is not (compared by value, not digits).
    if round_money(Money(amount, currency)).amount != amount:
        errors.add(field, "too_precise", f"{currency} has no smaller unit than that.")
    return Money(amount, currency)


@transaction.atomic
def account_create(*, code: str, name: str, type: str, role: str | None = None) -> Account:
    code = code.strip()
    if Account.objects.filter(code__iexact=code).exists():
        raise ValidationFailed.for_field("code", "code_taken", f"Account {code} exists already.")
    if role and Account.objects.filter(role=role).exists():
        raise ValidationFailed.for_field("role", "role_taken", f"An account already has {role}.")
    account = Account(code=code, name=name.strip(), type=type, role=role or None)
    account.full_clean()
    account.save()
    return account


@transaction.atomic
def account_update(
    *, account_id: int, name: str | None = None, is_active: bool | None = None
) -> Account:
    account = lock_found(Account, pk=account_id, missing="No such account.")
    if name is not None:
        account.name = name.strip()
    if is_active is not None:
        account.is_active = is_active
    account.full_clean()
    account.save()
    return account


@transaction.atomic
def expense_record(
    *,
    category_id: int,
    paid_from_id: int,
    amount: Decimal,
    actor: Any,
    date: date | None = None,
    payee: str = "",
    note: str = "",
) -> Expense:
    """A running cost paid out: Dr the expense account, Cr where the money came from."""
    errors = FieldErrorCollector()
    money = _exact_amount(amount, "amount", errors, positive=True)
    category = Account.objects.filter(pk=category_id, is_active=True).first()
    if category is None or category.type != AccountType.EXPENSE:
        errors.add("category", "not_an_expense", "Choose an active expense account.")
    paid_from = Account.objects.filter(pk=paid_from_id, is_active=True).first()
    if paid_from is None or paid_from.role not in PAYING_ROLES:
        errors.add("paid_from", "not_a_paying_account", "Pay from cash, bank or mobile money.")
    errors.raise_if_any()
    assert category is not None and paid_from is not None  # noqa: S101
    day = date or business_today()
    entry = entry_post(
        date=day,
        memo=f"{category.name}" + (f": {payee}" if payee else ""),
        lines=[
            PostingLine(category.code, debit=money.amount),
            PostingLine(paid_from.code, credit=money.amount),
        ],
        source="expense",
        actor=actor,
    )
    return Expense.objects.create(
        date=day,
        category=category,
        amount=money,
        paid_from=paid_from,
        payee=payee,
        note=note,
        entry=entry,
        created_by=person_or_none(actor),
    )


@transaction.atomic
def manual_entry_post(
    *, date: date, memo: str, lines: list[PostingLine], actor: Any, reference: str = ""
) -> Any:
    """A journal entry typed in by an accountant (accruals, owner's drawings, corrections)."""
    return entry_post(
        date=date, memo=memo, lines=lines, source="manual", reference=reference, actor=actor
    )


@transaction.atomic
def budget_set(*, account_id: int, month: date, amount: Decimal) -> Budget:
    errors = FieldErrorCollector()
    money = _exact_amount(amount, "amount", errors, positive=False)
    account = Account.objects.filter(pk=account_id).first()
    if account is None:
        errors.add("account", "does_not_exist", "No such account.")
    errors.raise_if_any()
    first_day = month.replace(day=1)
    try:
        with transaction.atomic():
            budget, _ = Budget.objects.update_or_create(
                account=account, month=first_day, defaults={"amount": money}
            )
    except IntegrityError as error:  # set by a concurrent request at the same moment
        raise Conflict("This budget changed meanwhile; try again.") from error
    return budget
