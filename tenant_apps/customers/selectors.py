"""Reads: customers, their account history, statements, overdue debts, loyalty settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import F, Q, QuerySet, Sum, Window
from moneyed import Money

from saas_platform.changes import changed_since
from saas_platform.tenancy import business_currency, business_today, business_zone, start_of_day
from tenant_apps.customers.models import CreditEntry, Customer, LoyaltyEntry, LoyaltySettings

ZERO = Decimal(0)
AGING_BUCKETS = ("days_0_30", "days_31_60", "days_61_90", "days_over_90")


def loyalty_settings_get() -> LoyaltySettings:
    """The saved settings, or the defaults (a point per 100 spent, worth 1.00) until saved."""
    saved = LoyaltySettings.objects.filter(pk=1).first()
    if saved is not None:
        return saved
    return LoyaltySettings(
        pk=1,
        enabled=True,
        points_per_unit=Decimal("0.01"),
        point_value=Money(Decimal("1.00"), business_currency()),
    )


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def customer_list(
    *, q: str = "", active: bool | None = None, updated_since: datetime | None = None
) -> QuerySet[Customer]:
    """Customers by part of the name, the code, or part of the phone number (any spelling:
    0712…, +254712… and 254712… all find 254712…)."""
    customers = Customer.objects.select_related("price_list")
    if active is not None:
        customers = customers.filter(is_active=active)
    q = q.strip()
    if q:
        match = Q(name__icontains=q) | Q(code__iexact=q) | Q(email__iexact=q)
        digits = _digits(q)
        if len(digits) >= 3:
            # A national number's trunk 0 is not stored: match what follows it.
            match |= Q(phone__contains=digits.lstrip("0") or digits)
        customers = customers.filter(match)
    return changed_since(customers.order_by("name", "pk"), updated_since)


def customer_get(customer_id: int) -> Customer | None:
    return customer_list().filter(pk=customer_id).first()


def customer_by_code(code: str) -> Customer | None:
    code = code.strip()
    if not code:
        return None
    return Customer.objects.filter(code__iexact=code).first()


def credit_entries(*, customer_id: int) -> QuerySet[CreditEntry]:
    """The account's history, newest first; each entry carries the balance after it."""
    return (
        CreditEntry.objects.filter(customer_id=customer_id)
        .select_related("created_by")
        .order_by("-pk")
    )


def loyalty_entries(*, customer_id: int) -> QuerySet[LoyaltyEntry]:
    return LoyaltyEntry.objects.filter(customer_id=customer_id).order_by("-pk")


# --- Statement -------------------------------------------------------------------------------


def loyalty_points_earned(*, customer_id: int, reference: str) -> int:
    """Points a customer earned on one sale (its reference), for giving them back."""
    total = LoyaltyEntry.objects.filter(
        customer_id=customer_id, reference=reference, reason="earned"
    ).aggregate(total=Sum("points"))["total"]
    return int(total or 0)


@dataclass(frozen=True)
class Statement:
    customer: Customer
    start: date
    end: date
    opening: Money
    entries: list[CreditEntry]
    closing: Money
    charges: Money
    credits: Money


def statement(*, customer: Customer, start: date, end: date) -> Statement:
    """The account between ``start`` and ``end`` (both included, the business's calendar)."""
    currency = business_currency()
    begins, ends = start_of_day(start), start_of_day(end + timedelta(days=1))
    history = CreditEntry.objects.filter(customer=customer)
    before = history.filter(created_at__lt=begins).order_by("-pk").first()
    entries = list(
        history.filter(created_at__gte=begins, created_at__lt=ends)
        .select_related("created_by")
        .order_by("pk")
    )
    opening = before.balance_after.amount if before else ZERO
    closing = entries[-1].balance_after.amount if entries else opening
    return Statement(
        customer=customer,
        start=start,
        end=end,
        opening=Money(opening, currency),
        entries=entries,
        closing=Money(closing, currency),
        charges=Money(
            sum((e.amount.amount for e in entries if e.amount.amount > 0), ZERO), currency
        ),
        credits=Money(
            sum((-e.amount.amount for e in entries if e.amount.amount < 0), ZERO), currency
        ),
    )


# --- Overdue ---------------------------------------------------------------------------------


@dataclass
class OverdueCustomer:
    customer: Customer
    balance: Decimal
    overdue: Decimal = ZERO
    not_yet_due: Decimal = ZERO
    days_overdue: int = 0  # of the oldest unpaid charge past its due date
    oldest_due_on: date | None = None
    buckets: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(AGING_BUCKETS, ZERO))


@dataclass
class Overdue:
    as_of: date
    customers: list[OverdueCustomer]
    total_overdue: Decimal
    buckets: dict[str, Decimal]


def _bucket(days: int) -> str:
    if days <= 30:
        return "days_0_30"
    if days <= 60:
        return "days_31_60"
    if days <= 90:
        return "days_61_90"
    return "days_over_90"


def overdue_list(*, today: date | None = None) -> Overdue:
    """Customers with charges past their due date still unpaid, as of ``today``.

    Payments, returns and write-offs pay the oldest charges first, so what a customer still
    owes is made of their newest charges: walking the charges from the newest back, each is
    unpaid by as much of the balance as the newer ones have not already covered. One query
    does the walk for every customer with a window sum.
    """
    today = today or business_today()
    zone = business_zone()
    newer_or_same = Window(Sum("amount"), partition_by=[F("customer_id")], order_by=F("id").desc())
    charges = (
        CreditEntry.objects.filter(amount__gt=0, customer__balance__gt=0)
        .annotate(newer_or_same=newer_or_same, owed=F("customer__balance"))
        .values("customer_id", "amount", "due_on", "created_at", "newer_or_same", "owed")
        .order_by("customer_id", "-id")
    )
    found: dict[int, OverdueCustomer] = {}
    customers = Customer.objects.in_bulk(
        Customer.objects.filter(balance__gt=0).values_list("pk", flat=True)
    )
    for row in charges:
        amount, owed = row["amount"], row["owed"]
        covered_by_newer = row["newer_or_same"] - amount
        unpaid = min(amount, owed - covered_by_newer)
        if unpaid <= 0:
            continue
        customer = customers.get(row["customer_id"])
        if customer is None:  # its balance was paid off between the two reads
            continue
        report = found.setdefault(customer.pk, OverdueCustomer(customer=customer, balance=owed))
        # A charge with no due date (an adjustment, store credit overspent) is due at once.
        due = row["due_on"] or row["created_at"].astimezone(zone).date()
        if due >= today:
            report.not_yet_due += unpaid
            continue
        days = (today - due).days
        report.overdue += unpaid
        report.buckets[_bucket(days)] += unpaid
        if days > report.days_overdue:
            report.days_overdue, report.oldest_due_on = days, due
    listed = sorted(
        (r for r in found.values() if r.overdue > 0),
        key=lambda r: (-r.days_overdue, -r.overdue, r.customer.name),
    )
    return Overdue(
        as_of=today,
        customers=listed,
        total_overdue=sum((r.overdue for r in listed), ZERO),
        buckets={b: sum((r.buckets[b] for r in listed), ZERO) for b in AGING_BUCKETS},
    )
