"""Platform owners' figures over every business: recurring revenue, plans, trials, churn,
collection and usage. Pure reads.

Each figure is one grouped query in the public schema, whatever the number of businesses:
nothing here loops over tenants or reads a business's own schema (completed sales, counted
there at billing time, are therefore not among the usage shown).

Periods are platform days (UTC), ``[start, end]`` both included, as ``?start=&end=`` give
them; a figure "in the period" counts what happened from ``start``'s midnight to the midnight
after ``end``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone
from django_tenants.utils import get_public_schema_name
from moneyed import Money

from billing.minor_units import from_minor
from billing.models import (
    Aggregation,
    AttemptStatus,
    BillableMetric,
    Interval,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    LineKind,
    PaymentAttempt,
    ReconciliationMismatch,
    Subscription,
    SubscriptionStatus,
    UsageEvent,
    UsageSnapshot,
)
from saas_platform.money import minor_unit_exponent
from shared_apps.tenants.models import Tenant

# Subscriptions that pay their base fee now: a past-due one still owes it.
PAYING = (SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE)
# Wide enough for any sum of fees; the twelfth of a yearly fee has more decimals than money.
_WIDE = DecimalField(max_digits=30, decimal_places=10)


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """``[start, end]`` as platform days: from ``start``'s midnight (UTC) to the one after
    ``end``."""
    return (
        datetime.combine(start, time.min, tzinfo=UTC),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC),
    )


def _money(amount: Decimal, currency: str) -> Money:
    """``amount`` rounded once, half up, to the currency's minor unit."""
    step = Decimal(1).scaleb(-minor_unit_exponent(currency))
    return Money(amount.quantize(step, rounding=ROUND_HALF_UP), currency)


def _rate(part: int, whole: int) -> Decimal | None:
    """``part / whole`` to four places; None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


# --- recurring revenue ------------------------------------------------------------------------


@dataclass(frozen=True)
class RecurringRevenue:
    currency: str
    subscriptions: int
    base: Money  # the paying subscriptions' base fees, a month's worth
    usage_last_month: Money  # usage lines of invoices issued in the last closed month
    mrr: Money  # base + usage_last_month
    arr: Money  # twelve months of mrr


def _month_start(moment: datetime) -> datetime:
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def recurring_revenue(*, now: datetime | None = None) -> list[RecurringRevenue]:
    """MRR and ARR per currency (amounts in different currencies are never added up)."""
    now = (now or timezone.now()).astimezone(UTC)
    # The plan's price in the subscription's own currency: the join and the sum use the same
    # row because the filter comes before the annotation.
    monthly = Case(
        When(plan__interval=Interval.YEARLY, then=F("plan__prices__amount") / Value(12)),
        default=F("plan__prices__amount"),
        output_field=_WIDE,
    )
    base_rows = (
        Subscription.objects.filter(status__in=PAYING, plan__prices__amount_currency=F("currency"))
        .values("currency")
        .annotate(subscriptions=Count("pk"), base=Sum(monthly))
        .order_by()
    )
    this_month = _month_start(now)
    last_month = _month_start(this_month - timedelta(days=1))
    usage_rows = (
        InvoiceLine.objects.filter(
            kind=LineKind.USAGE,
            invoice__status__in=(InvoiceStatus.FINALIZED, InvoiceStatus.PAID),
            invoice__issued_for__gte=last_month,
            invoice__issued_for__lt=this_month,
        )
        .values("invoice__currency")
        .annotate(units=Sum("amount_minor"))
        .order_by()
    )
    base = {row["currency"]: (row["subscriptions"], row["base"]) for row in base_rows}
    usage = {row["invoice__currency"]: row["units"] for row in usage_rows}
    found = []
    for currency in sorted(base.keys() | usage.keys()):
        count, fees = base.get(currency, (0, Decimal(0)))
        fees_money = _money(fees or Decimal(0), currency)
        usage_money = from_minor(usage.get(currency) or 0, currency)
        mrr = fees_money + usage_money
        found.append(
            RecurringRevenue(
                currency=currency,
                subscriptions=count,
                base=fees_money,
                usage_last_month=usage_money,
                mrr=mrr,
                arr=mrr * 12,
            )
        )
    return found


# --- businesses by plan and status ------------------------------------------------------------


@dataclass(frozen=True)
class PlanCount:
    plan: str
    name: str
    total: int
    by_status: dict[str, int]


@dataclass(frozen=True)
class TenantCounts:
    by_plan: list[PlanCount]
    by_status: dict[str, int]
    without_subscription: int


def tenant_counts() -> TenantCounts:
    rows = (
        Subscription.objects.values("plan__code", "plan__name", "status")
        .annotate(n=Count("pk"))
        .order_by("plan__code", "status")
    )
    plans: dict[str, PlanCount] = {}
    by_status = dict.fromkeys(SubscriptionStatus.values, 0)
    for row in rows:
        code = row["plan__code"]
        if code not in plans:
            plans[code] = PlanCount(
                plan=code,
                name=row["plan__name"],
                total=0,
                by_status=dict.fromkeys(SubscriptionStatus.values, 0),
            )
        plans[code].by_status[row["status"]] += row["n"]
        by_status[row["status"]] += row["n"]
    without = (
        Tenant.objects.exclude(schema_name=get_public_schema_name())
        .filter(subscription__isnull=True)
        .count()
    )
    return TenantCounts(
        by_plan=[
            PlanCount(p.plan, p.name, sum(p.by_status.values()), p.by_status)
            for p in plans.values()
        ],
        by_status=by_status,
        without_subscription=without,
    )


# --- trials and churn -------------------------------------------------------------------------


@dataclass(frozen=True)
class TrialConversions:
    ended: int
    converted: int
    not_converted: int
    rate: Decimal | None


def trial_conversions(*, start: date, end: date) -> TrialConversions:
    """Trials that ended in the period: their end fell in it and the billing run has moved the
    subscription past it (a trial whose end is not yet invoiced is still trialing). A trial
    converted when the invoice of its end, the first period's base fee, was paid: a trial that
    ended in a cancellation has no such invoice, and one whose first charge failed has not
    converted (yet)."""
    since, until = day_bounds(start, end)
    first_paid = Invoice.objects.filter(
        subscription=OuterRef("pk"), issued_for=OuterRef("trial_end"), status=InvoiceStatus.PAID
    )
    found = (
        Subscription.objects.filter(trial_end__gte=since, trial_end__lt=until)
        .exclude(status=SubscriptionStatus.TRIALING)
        .annotate(paid=Exists(first_paid))
        .aggregate(ended=Count("pk"), converted=Count("pk", filter=Q(paid=True)))
    )
    ended, converted = found["ended"], found["converted"]
    return TrialConversions(ended, converted, ended - converted, _rate(converted, ended))


@dataclass(frozen=True)
class Churn:
    active_at_start: int
    cancelled: int
    rate: Decimal | None


def _paying_at(moment: datetime) -> Q:
    """A subscription that was a paying customer at ``moment``: made before it, past its trial,
    not yet cancelled. A trial that ended in a cancellation was never a paying customer, and
    one still trialing now never was one either (its end may be past, not yet invoiced)."""
    return (
        ~Q(status=SubscriptionStatus.TRIALING)
        & Q(created_at__lt=moment)
        & (Q(trial_end__isnull=True) | Q(trial_end__lte=moment))
        & (Q(cancelled_at__isnull=True) | Q(cancelled_at__gt=moment))
        & (
            Q(trial_end__isnull=True)
            | Q(cancelled_at__isnull=True)
            | ~Q(cancelled_at=F("trial_end"))
        )
    )


def churn(*, start: date, end: date) -> Churn:
    """Of the subscriptions paying at the period's start, those cancelled within it. Read from
    the subscriptions' own dates (trial end, cancellation), so a subscription reactivated
    since (its cancellation cleared) does not count as lost."""
    since, until = day_bounds(start, end)
    found = Subscription.objects.filter(_paying_at(since)).aggregate(
        active=Count("pk"),
        cancelled=Count("pk", filter=Q(cancelled_at__gte=since, cancelled_at__lt=until)),
    )
    return Churn(found["active"], found["cancelled"], _rate(found["cancelled"], found["active"]))


# --- collection --------------------------------------------------------------------------------


@dataclass(frozen=True)
class GatewayRevenue:
    gateway: str
    currency: str
    invoices: int
    amount: Money


def _collected() -> ExpressionWrapper:
    # What the payer paid: the total less what credit notes took off before payment.
    return ExpressionWrapper(F("total_minor") - F("credited_minor"), output_field=_WIDE)


def revenue_by_gateway(*, start: date, end: date) -> list[GatewayRevenue]:
    """Invoices paid in the period, per gateway and currency. An invoice settled without a
    charge (credits covered it) brought no money and is left out."""
    since, until = day_bounds(start, end)
    rows = (
        Invoice.objects.filter(status=InvoiceStatus.PAID, paid_at__gte=since, paid_at__lt=until)
        .annotate(collected=_collected())
        .filter(collected__gt=0)
        .values("gateway", "currency")
        .annotate(invoices=Count("pk"), units=Sum("collected"))
        .order_by("gateway", "currency")
    )
    return [
        GatewayRevenue(
            gateway=row["gateway"],
            currency=row["currency"],
            invoices=row["invoices"],
            amount=from_minor(int(row["units"]), row["currency"]),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class FailedAttempts:
    gateway: str
    currency: str
    attempts: int
    invoices: int
    amount: Money


@dataclass(frozen=True)
class PastDue:
    currency: str
    invoices: int
    amount: Money


@dataclass(frozen=True)
class FailedPayments:
    attempts: list[FailedAttempts]
    past_due: list[PastDue]


def past_due_invoices() -> QuerySet[Invoice]:
    """Invoices owed now whose charge has failed at least once (dunning is on them)."""
    failed = PaymentAttempt.objects.filter(invoice=OuterRef("pk"), status=AttemptStatus.FAILED)
    return Invoice.objects.filter(status=InvoiceStatus.FINALIZED).filter(Exists(failed))


def failed_payments(*, start: date, end: date) -> FailedPayments:
    """Charges that failed in the period (per gateway and currency; an attempt without a
    saved method has no gateway), and what past-due invoices owe now."""
    since, until = day_bounds(start, end)
    attempts = (
        PaymentAttempt.objects.filter(
            status=AttemptStatus.FAILED, finished_at__gte=since, finished_at__lt=until
        )
        .values("gateway", "currency")
        .annotate(
            attempts=Count("pk"),
            invoices=Count("invoice", distinct=True),
            units=Sum("amount_minor"),
        )
        .order_by("gateway", "currency")
    )
    owed = (
        past_due_invoices()
        .annotate(due=_collected())
        .values("currency")
        .annotate(invoices=Count("pk"), units=Sum("due"))
        .order_by("currency")
    )
    return FailedPayments(
        attempts=[
            FailedAttempts(
                row["gateway"],
                row["currency"],
                row["attempts"],
                row["invoices"],
                from_minor(int(row["units"]), row["currency"]),
            )
            for row in attempts
        ],
        past_due=[
            PastDue(
                row["currency"], row["invoices"], from_minor(int(row["units"]), row["currency"])
            )
            for row in owed
        ],
    )


def open_mismatches() -> QuerySet[ReconciliationMismatch]:
    """Reconciliation's findings nobody has resolved, newest first, with their invoice."""
    return ReconciliationMismatch.objects.filter(resolved_at__isnull=True).select_related(
        "invoice__tenant"
    )


# --- usage -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TenantUsage:
    subscription: Subscription
    since: datetime
    # Units per metric code in the open usage window (metrics with no event: none listed).
    metrics: dict[str, Decimal] = field(default_factory=dict)
    snapshot: UsageSnapshot | None = None


def usage_subscriptions() -> QuerySet[Subscription]:
    """Every subscription with its business and plan, by the business's slug: the rows of the
    usage list (one page of them at a time goes to :func:`usage_rows`)."""
    return Subscription.objects.select_related("tenant", "plan").order_by("tenant__slug", "pk")


def _units(metric: BillableMetric | None, row: Mapping[str, Any]) -> Decimal:
    aggregation = metric.aggregation if metric else Aggregation.COUNT
    value = {
        Aggregation.COUNT: row["events"],
        Aggregation.SUM: row["total"],
        Aggregation.MAX: row["highest"],
        Aggregation.UNIQUE_COUNT: row.get(f"unique_{metric.code}") if metric else None,
        Aggregation.LATEST: None,  # read by its own query
    }[Aggregation(aggregation)]
    return Decimal(str(value)) if value is not None else Decimal(0)


def usage_rows(
    subscriptions: Iterable[Subscription], *, now: datetime | None = None
) -> list[TenantUsage]:
    """Each subscription's usage since it was last invoiced (its open usage window), per
    metric, aggregated as the metric says, and the business's latest daily snapshot.

    One grouped query over the page's events (plus one for metrics that keep their latest
    value, when there are any) and one for the snapshots, whatever the page's size."""
    now = now or timezone.now()
    page: Sequence[Subscription] = list(subscriptions)
    if not page:
        return []
    metrics = {m.code: m for m in BillableMetric.objects.all()}
    tenant_ids = [s.tenant_id for s in page]
    window = UsageEvent.objects.filter(
        tenant_id__in=tenant_ids,
        occurred_at__gte=F("tenant__subscription__usage_from"),
        occurred_at__lt=now,
    )
    unique = {
        f"unique_{m.code}": Count(
            KeyTextTransform(m.field_name.removeprefix("properties."), "properties"),
            filter=Q(metric_code=m.code),
            distinct=True,
        )
        for m in metrics.values()
        if m.aggregation == Aggregation.UNIQUE_COUNT
    }
    grouped = (
        window.values("tenant_id", "metric_code")
        .annotate(events=Count("pk"), total=Sum("quantity"), highest=Max("quantity"), **unique)
        .order_by()
    )
    found: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in grouped:
        metric = metrics.get(row["metric_code"])
        found[row["tenant_id"]][row["metric_code"]] = _units(metric, row)
    latest = [m.code for m in metrics.values() if m.aggregation == Aggregation.LATEST]
    if latest:
        last_events = (
            window.filter(metric_code__in=latest)
            .order_by("tenant_id", "metric_code", "-occurred_at", "-id")
            .distinct("tenant_id", "metric_code")
            .values_list("tenant_id", "metric_code", "quantity")
        )
        for tenant_id, code, quantity in last_events:
            found[tenant_id][code] = quantity
    snapshots = {
        s.tenant_id: s
        for s in UsageSnapshot.objects.filter(tenant_id__in=tenant_ids)
        .order_by("tenant_id", "-day")
        .distinct("tenant_id")
    }
    return [
        TenantUsage(
            subscription=s,
            since=s.usage_from or s.current_period_start,
            metrics=dict(sorted(found.get(s.tenant_id, {}).items())),
            snapshot=snapshots.get(s.tenant_id),
        )
        for s in page
    ]


# --- all of it ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    start: date
    end: date
    recurring_revenue: list[RecurringRevenue]
    tenants: TenantCounts
    trials: TrialConversions
    churn: Churn
    revenue_by_gateway: list[GatewayRevenue]
    failed_payments: FailedPayments
    open_mismatches: int


def platform_figures(*, start: date, end: date, now: datetime | None = None) -> Figures:
    now = now or timezone.now()
    return Figures(
        start=start,
        end=end,
        recurring_revenue=recurring_revenue(now=now),
        tenants=tenant_counts(),
        trials=trial_conversions(start=start, end=end),
        churn=churn(start=start, end=end),
        revenue_by_gateway=revenue_by_gateway(start=start, end=end),
        failed_payments=failed_payments(start=start, end=end),
        open_mismatches=open_mismatches().count(),
    )
