"""Reports, read from journal lines only: nothing here trusts a stored balance or total."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, QuerySet, Sum

from saas_platform.errors import NotFound
from tenant_apps.ledger.models import (
    DEBIT_NORMAL_TYPES,
    Account,
    AccountType,
    Budget,
    Expense,
    JournalEntry,
    JournalLine,
)

ZERO = Decimal(0)


@dataclass(frozen=True)
class Sums:
    debit: Decimal = ZERO
    credit: Decimal = ZERO


def _sums(*, start: date | None = None, end: date | None = None) -> dict[int, Sums]:
    lines = JournalLine.objects.all()
    if start is not None:
        lines = lines.filter(entry__date__gte=start)
    if end is not None:
        lines = lines.filter(entry__date__lte=end)
    rows = lines.values("account_id").annotate(d=Sum("debit"), c=Sum("credit")).order_by()
    return {row["account_id"]: Sums(row["d"] or ZERO, row["c"] or ZERO) for row in rows}


def signed(account: Account, sums: Sums) -> Decimal:
    """A balance in the account's own direction: positive is normal (cash held, sales made)."""
    if account.type in DEBIT_NORMAL_TYPES:
        return sums.debit - sums.credit
    return sums.credit - sums.debit


def account_list(*, active: bool | None = None) -> QuerySet[Account]:
    accounts = Account.objects.all()
    if active is not None:
        accounts = accounts.filter(is_active=active)
    return accounts.order_by("code")


def entry_list(
    *, start: date | None = None, end: date | None = None, source: str | None = None
) -> QuerySet[JournalEntry]:
    entries = JournalEntry.objects.all()
    if start is not None:
        entries = entries.filter(date__gte=start)
    if end is not None:
        entries = entries.filter(date__lte=end)
    if source:
        entries = entries.filter(source=source)
    return entries.prefetch_related(
        Prefetch("lines", JournalLine.objects.select_related("account").order_by("pk"))
    ).order_by("-date", "-pk")


def entry_get(entry_id: int) -> JournalEntry | None:
    return entry_list().filter(pk=entry_id).first()


def expense_list() -> QuerySet[Expense]:
    return Expense.objects.select_related("category", "paid_from").order_by("-date", "-pk")


# --- Trial balance ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TrialBalanceRow:
    account: Account
    debit: Decimal
    credit: Decimal


@dataclass(frozen=True)
class TrialBalance:
    as_of: date
    rows: list[TrialBalanceRow]
    total_debit: Decimal
    total_credit: Decimal


def trial_balance(*, as_of: date) -> TrialBalance:
    sums = _sums(end=as_of)
    rows = []
    for account in Account.objects.filter(pk__in=sums).order_by("code"):
        net = sums[account.pk].debit - sums[account.pk].credit
        if net:
            rows.append(TrialBalanceRow(account, max(net, ZERO), max(-net, ZERO)))
    return TrialBalance(
        as_of=as_of,
        rows=rows,
        total_debit=sum((r.debit for r in rows), ZERO),
        total_credit=sum((r.credit for r in rows), ZERO),
    )


# --- Profit and loss, balance sheet -----------------------------------------------------------


@dataclass(frozen=True)
class Line:
    account: Account
    amount: Decimal


@dataclass
class Section:
    lines: list[Line] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)


def _section(sums: dict[int, Sums], types: Iterable[str]) -> Section:
    section = Section()
    for account in Account.objects.filter(pk__in=sums, type__in=list(types)).order_by("code"):
        amount = signed(account, sums[account.pk])
        if amount:
            section.lines.append(Line(account, amount))
    return section


@dataclass(frozen=True)
class ProfitAndLoss:
    start: date
    end: date
    income: Section
    expenses: Section

    @property
    def net_profit(self) -> Decimal:
        return self.income.total - self.expenses.total


def profit_and_loss(*, start: date, end: date) -> ProfitAndLoss:
    sums = _sums(start=start, end=end)
    return ProfitAndLoss(
        start=start,
        end=end,
        income=_section(sums, [AccountType.INCOME]),
        expenses=_section(sums, [AccountType.EXPENSE]),
    )


@dataclass(frozen=True)
class BalanceSheet:
    as_of: date
    assets: Section
    liabilities: Section
    equity: Section
    # Income less expenses up to the date: no closing entries move it into equity, so the
    # sheet adds it here to balance.
    current_earnings: Decimal

    @property
    def total_equity(self) -> Decimal:
        return self.equity.total + self.current_earnings

    @property
    def total_liabilities_and_equity(self) -> Decimal:
        return self.liabilities.total + self.total_equity


def balance_sheet(*, as_of: date) -> BalanceSheet:
    sums = _sums(end=as_of)
    income = _section(sums, [AccountType.INCOME]).total
    expenses = _section(sums, [AccountType.EXPENSE]).total
    return BalanceSheet(
        as_of=as_of,
        assets=_section(sums, [AccountType.ASSET]),
        liabilities=_section(sums, [AccountType.LIABILITY]),
        equity=_section(sums, [AccountType.EQUITY]),
        current_earnings=income - expenses,
    )


# --- General ledger, day book -----------------------------------------------------------------


@dataclass(frozen=True)
class LedgerLine:
    line: JournalLine
    balance: Decimal


@dataclass(frozen=True)
class GeneralLedger:
    account: Account
    start: date
    end: date
    opening: Decimal
    lines: list[LedgerLine]
    closing: Decimal


def general_ledger(*, account: Account, start: date, end: date) -> GeneralLedger:
    before = JournalLine.objects.filter(account=account, entry__date__lt=start).aggregate(
        d=Sum("debit"), c=Sum("credit")
    )
    opening = signed(account, Sums(before["d"] or ZERO, before["c"] or ZERO))
    running = opening
    lines = []
    for line in (
        JournalLine.objects.filter(account=account, entry__date__gte=start, entry__date__lte=end)
        .select_related("entry")
        .order_by("entry__date", "entry_id", "pk")
    ):
        running += signed(account, Sums(line.debit.amount, line.credit.amount))
        lines.append(LedgerLine(line, running))
    return GeneralLedger(account, start, end, opening, lines, running)


def day_book(*, day: date) -> list[JournalEntry]:
    return list(entry_list(start=day, end=day).order_by("pk"))


# --- VAT, budgets -----------------------------------------------------------------------------


@dataclass(frozen=True)
class VatReport:
    start: date
    end: date
    output_vat: Decimal
    input_vat: Decimal

    @property
    def net_payable(self) -> Decimal:
        return self.output_vat - self.input_vat


def vat_report(*, start: date, end: date) -> VatReport:
    lines = JournalLine.objects.filter(entry__date__gte=start, entry__date__lte=end)
    output = lines.filter(account__role="vat_payable").aggregate(s=Sum("credit"))["s"]
    inputs = lines.filter(account__role="vat_receivable").aggregate(s=Sum("debit"))["s"]
    return VatReport(start, end, output or ZERO, inputs or ZERO)


@dataclass(frozen=True)
class BudgetRow:
    account: Account
    budget: Decimal
    actual: Decimal

    @property
    def variance(self) -> Decimal:
        return self.actual - self.budget


def budget_list(*, start: date | None = None, end: date | None = None) -> QuerySet[Budget]:
    budgets = Budget.objects.select_related("account")
    if start is not None:
        budgets = budgets.filter(month__gte=start.replace(day=1))
    if end is not None:
        budgets = budgets.filter(month__lte=end)
    return budgets.order_by("month", "account__code")


def budget_vs_actual(*, start: date, end: date) -> list[BudgetRow]:
    """Each budgeted account: the budgets of the months the period touches, and what happened."""
    planned: dict[int, Decimal] = {}
    accounts: dict[int, Account] = {}
    for budget in budget_list(start=start, end=end):
        planned[budget.account_id] = planned.get(budget.account_id, ZERO) + budget.amount.amount
        accounts[budget.account_id] = budget.account
    sums = _sums(start=start, end=end)
    return [
        BudgetRow(account, planned[pk], signed(account, sums.get(pk, Sums())))
        for pk, account in sorted(accounts.items(), key=lambda item: item[1].code)
    ]


def account_get(account_id: int) -> Account:
    account = Account.objects.filter(pk=account_id).first()
    if account is None:
        raise NotFound("No such account.")
    return account
