"""Double-entry books: chart of accounts, journal entries and their lines, budgets, expenses.

Entries and lines are permanent: the database refuses any UPDATE or DELETE of them and any
entry whose lines do not balance (see the migrations); a mistake is corrected by a reversal.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from saas_platform.money import money_field
from shared_apps.users.actors import author_field


class AccountType(models.TextChoices):
    ASSET = "asset", "Asset"
    LIABILITY = "liability", "Liability"
    EQUITY = "equity", "Equity"
    INCOME = "income", "Income"
    EXPENSE = "expense", "Expense"


DEBIT_NORMAL_TYPES = frozenset({AccountType.ASSET, AccountType.EXPENSE})


class Account(models.Model):
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=120)
    type = models.CharField(max_length=10, choices=AccountType.choices)
    # The key postings use (``inventory``, ``cash_drawer``…), so a business may rename or
    # renumber its accounts without breaking what posts to them.
    role = models.CharField(max_length=40, unique=True, null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=AccountType.values), name="ledger_account_type_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def normal_balance(self) -> str:
        return "debit" if self.type in DEBIT_NORMAL_TYPES else "credit"


class JournalEntry(models.Model):
    date = models.DateField()
    memo = models.CharField(max_length=300)
    source = models.CharField(max_length=40, help_text="What posted it, e.g. goods_receipt.")
    reference = models.CharField(max_length=120, blank=True)
    reversal_of = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    created_by = author_field()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name_plural = "journal entries"
        indexes = [models.Index(fields=["date"], name="ledger_entry_date")]
        constraints = [
            # One event posts at most once: a retried receipt or payment cannot post twice.
            models.UniqueConstraint(
                fields=["source", "reference"],
                condition=~Q(reference=""),
                name="ledger_entry_source_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"entry {self.pk} {self.date} {self.memo}"


class JournalLine(models.Model):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    debit = money_field()
    credit = money_field()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(debit__gte=0) & Q(credit__gte=0), name="ledger_line_not_negative"
            ),
            models.CheckConstraint(
                condition=(Q(debit__gt=0) & Q(credit=0)) | (Q(credit__gt=0) & Q(debit=0)),
                name="ledger_line_one_side",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} Dr {self.debit} Cr {self.credit}"


class LedgerSettings(models.Model):
    """One row (id 1): nothing may be posted on or before ``lock_date`` (closed periods)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    lock_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="ledger_settings_singleton")]

    def __str__(self) -> str:
        return f"locked through {self.lock_date}" if self.lock_date else "open"


class Budget(models.Model):
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="budgets")
    month = models.DateField(help_text="The first day of the month.")
    amount = money_field()

    class Meta:
        ordering = ["month", "account_id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "month"], name="ledger_budget_unique"),
            models.CheckConstraint(condition=Q(month__day=1), name="ledger_budget_first_of_month"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="ledger_budget_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.month:%Y-%m}: {self.amount}"


class Expense(models.Model):
    date = models.DateField()
    category = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    amount = money_field()
    paid_from = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    payee = models.CharField(max_length=200, blank=True)
    note = models.CharField(max_length=500, blank=True)
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="expense")
    created_by = author_field()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_expense_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.payee or self.category_id}: {self.amount}"
