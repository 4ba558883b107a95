"""Plan limits that bite: ``require`` refuses what the business's plan does not include.

Services call it inside their own transaction, before they write::

    require(Limit.STORES)            # one more storefront
    require(Feature.API_ACCESS)      # a feature the plan must have

A refusal is ``PlanLimitReached`` (402, ``plan_limit``) naming the limit and the cheapest plan
that allows it, raised before anything is written, so nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from moneyed import Money

from billing.models import FALLBACK_CURRENCY, Feature, Limit, Plan, Subscription
from billing.selectors import default_plan, plan_list, plan_price
from billing.usage_counts import in_use
from saas_platform.errors import DukaError, FieldErrors
from saas_platform.locking import lock_row
from saas_platform.money import format_amount
from saas_platform.tenancy import current_business


class PlanLimitReached(DukaError):
    """The plan does not include this. ``fields`` carries ``limit`` (its code: which limit, its
    message: what the plan allows) and, when some plan allows it, ``cheapest_plan`` (its code:
    the plan's code, its message: what it costs and allows)."""

    code = "plan_limit"
    status = 402
    default_message = "Your plan does not include this."


@dataclass(frozen=True)
class _Current:
    plan: Plan
    currency: str


def _current() -> _Current | None:
    tenant = current_business()
    # Locked until the caller's transaction ends: two tills added at once are counted one after
    # the other, so they cannot both take the last free place.
    subscription = lock_row(Subscription.objects.select_related("plan"), tenant_id=tenant.pk)
    if subscription is not None:
        return _Current(plan=subscription.plan, currency=subscription.currency)
    # A business made before billing existed is held to the default plan.
    plan = default_plan()
    return None if plan is None else _Current(plan=plan, currency=tenant.currency)


def _allows(plan: Plan, what: str, needed: int) -> bool:
    if what in Feature.values:
        return plan.has_feature(what)
    allowed = plan.limit(what)
    return allowed is None or needed <= allowed


def cheapest_plan_allowing(
    what: str, needed: int, *, currency: str, interval: str
) -> tuple[Plan, Money] | None:
    """The active plan of ``interval`` with the lowest base fee in ``currency`` (USD when it
    has no price there) that allows ``needed`` of ``what``."""
    offers = []
    for plan in plan_list(active_only=True).filter(interval=interval):
        price = plan_price(plan, currency) or plan_price(plan, FALLBACK_CURRENCY)
        if price is not None and _allows(plan, what, needed):
            offers.append((price.amount if str(price.currency) == currency else None, plan, price))
    # Prices in the business's own currency first (comparable), then the rest by USD.
    offers.sort(key=lambda offer: (offer[0] is None, offer[2].amount, offer[1].code))
    return (offers[0][1], offers[0][2]) if offers else None


def _label(what: str) -> str:
    return str(Feature(what).label) if what in Feature.values else str(Limit(what).label).lower()


def require(what: str, *, adding: int = 1) -> None:
    """Refuses with ``PlanLimitReached`` unless the current business's plan includes ``what``:
    a feature, or room for ``adding`` more of a limit. Call it inside the transaction that
    writes, before writing."""
    if what not in Feature.values and what not in Limit.values:
        raise ValueError(f"unknown limit or feature {what!r}")
    with transaction.atomic():
        current = _current()
        if current is None:
            return  # no catalog at all: nothing to hold the business to
        plan = current.plan
        if what in Feature.values:
            if plan.has_feature(what):
                return
            needed, allowed_text = 0, f"{plan.name} does not include {_label(what)}."
        else:
            allowed = plan.limit(what)
            if allowed is None:
                return
            needed = in_use(what) + adding
            if needed <= allowed:
                return
            allowed_text = f"{plan.name} allows {allowed} {_label(what)}."
        better = cheapest_plan_allowing(
            what, needed, currency=current.currency, interval=plan.interval
        )
    fields: FieldErrors = {"limit": [{"code": what, "message": allowed_text}]}
    message = allowed_text
    if better is not None:
        upgrade, price = better
        offer = (
            f"{upgrade.name} ({price.currency} {format_amount(price)} a "
            f"{'year' if upgrade.interval == 'yearly' else 'month'}) "
            + (f"includes {_label(what)}." if what in Feature.values else _amount(upgrade, what))
        )
        fields["cheapest_plan"] = [{"code": upgrade.code, "message": offer}]
        message = f"{allowed_text} Upgrade to {upgrade.name} to do this."
    raise PlanLimitReached(message, fields=fields)


def _amount(plan: Plan, what: str) -> str:
    allowed = plan.limit(what)
    return f"allows {'unlimited' if allowed is None else allowed} {_label(what)}."
