"""Anomaly signals for owners: each cashier's rate of voids, refunds, discounts, price
overrides and no-sale drawer openings, set against the business's own norm.

Every rate is per sale the cashier completed in the period (a cashier who sells a lot may
void a lot). The norm is the median of the cashiers' rates and the spread its median absolute
deviation (MAD): one cashier far out cannot drag either, as they would a mean and a standard
deviation. The robust z-score is ``0.6745 * (rate - median) / MAD`` (Iglewicz and Hoaglin);
above ``Z_FLAG`` the rate is flagged. When most cashiers have the same rate (often zero, so
the MAD is zero) the spread is that of the other cashiers' pooled rate instead: a binomial
standard error, ``sqrt(p * (1 - p) / sales)``, so a cashier with seven voids where nobody else
has any still stands out.

A flag needs ``MIN_EVENTS`` events behind it (one void among five sales is a high rate, and
no signal) and a norm of at least ``MIN_CASHIERS`` cashiers:
with two cashiers there is no norm to depart from. Each signal comes with its evidence: the
sales (or drawer openings) behind it, through :func:`anomaly_evidence`.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet

from saas_platform.errors import NotFound
from saas_platform.tenancy import start_of_day
from shared_apps.users.models import User
from tenant_apps.sales.models import DrawerOpening, Sale, SaleLine, SaleReturn, SaleStatus

METRICS = ("voids", "refunds", "discounts", "price_overrides", "no_sales")
Z_FLAG = 3.5
MIN_EVENTS = 3
MIN_CASHIERS = 3
# The MAD of a normal distribution is 0.6745 of its standard deviation.
_MAD_TO_SD = 0.6745


@dataclass(frozen=True)
class MetricSignal:
    count: int
    rate: float  # events per completed sale
    z: float | None  # None: no norm to compare with (too few cashiers)
    flagged: bool


@dataclass(frozen=True)
class CashierSignals:
    cashier_id: int
    email: str
    name: str
    sales: int
    metrics: dict[str, MetricSignal]

    @property
    def flagged(self) -> list[str]:
        return [name for name, signal in self.metrics.items() if signal.flagged]


@dataclass(frozen=True)
class AnomalyReport:
    start: date
    end: date
    norm: dict[str, float]  # the median rate of each metric
    cashiers: list[CashierSignals]


def robust_z_scores(counts: Sequence[int], sales: Sequence[int]) -> list[float | None]:
    """The robust z-score of each cashier's rate ``counts[i] / sales[i]`` against them all
    (None for everyone when there are fewer than ``MIN_CASHIERS``). Pure: no database."""
    if len(counts) < MIN_CASHIERS:
        return [None] * len(counts)
    rates = [c / max(n, 1) for c, n in zip(counts, sales, strict=True)]
    median = statistics.median(rates)
    mad = statistics.median(abs(r - median) for r in rates)
    if mad > 0:
        return [_MAD_TO_SD * (r - median) / mad for r in rates]
    total_counts, total_sales = sum(counts), sum(sales)
    scores: list[float | None] = []
    for count, n, rate in zip(counts, sales, rates, strict=True):
        # The others' pooled rate: the cashier being judged must not raise their own norm.
        others = max(total_sales - n, 1)
        # Half an event when the others have none, so "never" still has a spread.
        pooled = min(max(total_counts - count, 0.5) / others, 0.5)
        scores.append((rate - pooled) / math.sqrt(pooled * (1 - pooled) / max(n, 1)))
    return scores


def is_flagged(z: float | None, count: int) -> bool:
    return z is not None and z >= Z_FLAG and count >= MIN_EVENTS


def _window(start: date, end: date) -> tuple[datetime, datetime]:
    return start_of_day(start), start_of_day(end + timedelta(days=1))


def _completed(since: datetime, until: datetime) -> QuerySet[Sale]:
    """Sales completed in the window (voided later or not: the cashier made them)."""
    return Sale.objects.filter(
        status__in=(SaleStatus.COMPLETED, SaleStatus.VOIDED),
        completed_at__gte=since,
        completed_at__lt=until,
        cashier__isnull=False,
    )


def _events(metric: str, since: datetime, until: datetime) -> QuerySet[Any]:
    """The rows behind ``metric`` in the window; ``_PERSON`` names the field of the person each
    row counts against."""
    if metric == "voids":
        return Sale.objects.filter(voided_at__gte=since, voided_at__lt=until)
    if metric == "refunds":
        return SaleReturn.objects.filter(created_at__gte=since, created_at__lt=until)
    if metric == "discounts":
        return _completed(since, until).filter(discount_total__gt=Decimal(0))
    if metric == "price_overrides":
        overridden = SaleLine.objects.filter(sale=OuterRef("pk"), price_overridden=True)
        return _completed(since, until).filter(Exists(overridden))
    if metric == "no_sales":
        return DrawerOpening.objects.filter(created_at__gte=since, created_at__lt=until)
    raise NotFound(f"No anomaly metric {metric!r}.", code="metric_not_found")


# Whom each metric's rows count against: who voided, who refunded, who sold, who opened.
_PERSON = {
    "voids": "voided_by",
    "refunds": "created_by",
    "discounts": "cashier",
    "price_overrides": "cashier",
    "no_sales": "opened_by",
}


def _counts_by_person(metric: str, since: datetime, until: datetime) -> dict[int, int]:
    person = _PERSON[metric]
    rows = (
        _events(metric, since, until)
        .filter(**{f"{person}__isnull": False})
        .values(person)
        .annotate(n=Count("pk"))
    )
    return {row[person]: row["n"] for row in rows}


def anomaly_report(*, start: date, end: date) -> AnomalyReport:
    """Every person who completed a sale or did one of the counted things in the period."""
    since, until = _window(start, end)
    sales = {
        row["cashier"]: row["n"]
        for row in _completed(since, until).values("cashier").annotate(n=Count("pk"))
    }
    counts = {metric: _counts_by_person(metric, since, until) for metric in METRICS}
    people = set(sales).union(*(c.keys() for c in counts.values()))
    users = {u.pk: u for u in User.objects.filter(pk__in=people)}
    order = sorted(people, key=lambda pk: (users[pk].email if pk in users else "", pk))
    per_metric: dict[str, list[float | None]] = {}
    norm: dict[str, float] = {}
    for metric in METRICS:
        metric_counts = [counts[metric].get(pk, 0) for pk in order]
        metric_sales = [sales.get(pk, 0) for pk in order]
        per_metric[metric] = robust_z_scores(metric_counts, metric_sales)
        rates = [c / max(n, 1) for c, n in zip(metric_counts, metric_sales, strict=True)]
        norm[metric] = statistics.median(rates) if rates else 0.0
    cashiers = []
    for i, pk in enumerate(order):
        signals = {}
        for metric in METRICS:
            count, z = counts[metric].get(pk, 0), per_metric[metric][i]
            signals[metric] = MetricSignal(
                count=count,
                rate=count / max(sales.get(pk, 0), 1),
                z=z,
                flagged=is_flagged(z, count),
            )
        user = users.get(pk)
        cashiers.append(
            CashierSignals(
                cashier_id=pk,
                email=user.email if user else "",
                name=user.full_name if user else "",
                sales=sales.get(pk, 0),
                metrics=signals,
            )
        )
    return AnomalyReport(start=start, end=end, norm=norm, cashiers=cashiers)


@dataclass(frozen=True)
class Evidence:
    at: datetime
    sale_uuid: str | None
    receipt_number: int | None
    amount: Decimal | None
    detail: str


def anomaly_evidence(*, cashier_id: int, metric: str, start: date, end: date) -> list[Evidence]:
    """The sales (or drawer openings) behind one cashier's count of ``metric``, oldest first."""
    since, until = _window(start, end)
    rows = _events(metric, since, until).filter(**{_PERSON[metric]: cashier_id})
    if metric == "no_sales":
        return [
            Evidence(o.created_at, None, None, None, f"No sale: {o.reason}")
            for o in rows.order_by("created_at", "pk")
        ]
    if metric == "refunds":
        return [
            Evidence(
                r.created_at,
                str(r.sale.uuid),
                r.sale.receipt_number,
                r.total.amount,
                f"Refund ({r.get_refund_method_display()}): {r.reason}",
            )
            for r in rows.select_related("sale").order_by("created_at", "pk")
        ]
    evidence = []
    for sale in rows.order_by("completed_at", "pk"):
        if metric == "voids":
            at, detail = sale.voided_at, f"Voided: {sale.void_reason}"
        elif metric == "discounts":
            at, detail = sale.completed_at, f"Discount {sale.discount_total.amount}"
        else:
            at, detail = sale.completed_at, "A line's price overridden"
        evidence.append(
            Evidence(at, str(sale.uuid), sale.receipt_number, sale.total.amount, detail)
        )
    return evidence
