"""Reads of the billing catalog and of subscriptions."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from moneyed import Money

from billing.models import (
    FALLBACK_CURRENCY,
    BillableMetric,
    Charge,
    Plan,
    PlanPrice,
    Subscription,
)
from saas_platform.errors import NotFound
from shared_apps.tenants.models import Tenant


def plan_list(*, active_only: bool = False) -> QuerySet[Plan]:
    plans = Plan.objects.prefetch_related(
        "prices",
        Prefetch(
            "charges", queryset=Charge.objects.select_related("metric").prefetch_related("prices")
        ),
    ).order_by("code")
    return plans.filter(is_active=True) if active_only else plans


def plan_get(code: str) -> Plan:
    plan = plan_list().filter(code=code).first()
    if plan is None:
        raise NotFound(f"No plan {code}.")
    return plan


def default_plan() -> Plan | None:
    return Plan.objects.filter(is_default=True, is_active=True).first()


def plan_price(plan: Plan, currency: str) -> Money | None:
    """The base fee of ``plan`` in ``currency`` (None: not sold in it). Reads
    ``plan.prices.all()``, so a prefetch serves it."""
    price: PlanPrice | None = next(
        (p for p in plan.prices.all() if str(p.amount.currency) == currency), None
    )
    return None if price is None else price.amount


def billing_currency(plan: Plan, wanted: str) -> str:
    """The business's own currency when the plan has a price in it, else the fallback."""
    return wanted if plan_price(plan, wanted) is not None else FALLBACK_CURRENCY


def subscription_of(tenant: Tenant) -> Subscription | None:
    return Subscription.objects.select_related("plan", "pending_plan").filter(tenant=tenant).first()


def metric_list() -> QuerySet[BillableMetric]:
    return BillableMetric.objects.order_by("code")
