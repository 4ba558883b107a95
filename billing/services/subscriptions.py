"""Writes on subscriptions: the trial at signup, plan changes, cancelling and reactivating.

Every function works in the public schema on a tenant it is given, and leaves the tenant's own
status following the subscription's through ``tenant_set_status`` (the one way a business's
status changes, with its history record).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from moneyed import Money

from billing.models import (
    AdjustmentKind,
    Invoice,
    InvoiceStatus,
    Plan,
    Subscription,
    SubscriptionAdjustment,
    SubscriptionStatus,
)
from billing.periods import period_end, remaining_fraction, trial_end
from billing.selectors import billing_currency, default_plan, plan_price
from billing.standing import held_refusal
from saas_platform.errors import Conflict, NotFound, ValidationFailed
from saas_platform.locking import lock_row
from saas_platform.money import round_money
from shared_apps.tenants.models import Tenant
from shared_apps.tenants.services import tenant_set_status

NOW = "now"
PERIOD_END = "period_end"
CHANGE_TIMINGS = (NOW, PERIOD_END)


def status_follow(subscription: Subscription, reason: str) -> None:
    """Makes the tenant's status the subscription's, recording why."""
    tenant = subscription.tenant
    if tenant.status != subscription.status:
        subscription.tenant = tenant_set_status(
            tenant=tenant, status=subscription.status, reason=reason
        )


def _locked(tenant: Tenant) -> Subscription:
    subscription = lock_row(Subscription, tenant_id=tenant.pk)
    if subscription is None:
        raise NotFound(f"{tenant.name} has no subscription.", code="no_subscription")
    return subscription


def subscription_start(
    *, tenant: Tenant, plan: Plan | None = None, now: datetime | None = None
) -> Subscription:
    """Starts ``tenant``'s subscription on ``plan`` (the default plan if none): a trial of the
    plan's trial days, or a first period when it has none. Billed in the business's currency
    when the plan has a price in it, else in USD."""
    now = now or timezone.now()
    plan = plan or default_plan()
    if plan is None:
        raise ValidationFailed("No default plan is set up.", code="no_default_plan")
    if Subscription.objects.filter(tenant=tenant).exists():
        raise Conflict(f"{tenant.name} already has a subscription.", code="already_subscribed")
    trialing = plan.trial_days > 0
    end = trial_end(now, plan.trial_days) if trialing else period_end(now, plan.interval)
    return Subscription.objects.create(
        tenant=tenant,
        plan=plan,
        currency=billing_currency(plan, tenant.currency),
        status=SubscriptionStatus.TRIALING if trialing else SubscriptionStatus.ACTIVE,
        current_period_start=now,
        current_period_end=end,
        trial_end=end if trialing else None,
        # A trial is invoiced at its end; a first period without one at its start.
        next_invoice_at=end if trialing else now,
        usage_from=now,
    )


def _new_plan(code: str, subscription: Subscription) -> Plan:
    plan = Plan.objects.prefetch_related("prices").filter(code=code, is_active=True).first()
    if plan is None:
        raise ValidationFailed.for_field("plan", "unknown_plan", f"No active plan {code}.")
    if plan.pk == subscription.plan_id:
        raise Conflict.for_field("plan", "plan_unchanged", f"The business is already on {plan}.")
    if plan_price(plan, subscription.currency) is None:
        raise ValidationFailed.for_field(
            "plan", "no_price_in_currency", f"{plan} has no price in {subscription.currency}."
        )
    return plan


def _prorate(subscription: Subscription, new: Plan, now: datetime) -> None:
    """A credit for the unused part of the old base fee and a charge for the new one over the
    rest of the period (a new period from now when the interval changes)."""
    old = subscription.plan
    old_price = plan_price(old, subscription.currency) or Money(0, subscription.currency)
    # _new_plan made sure the new plan has a price in this currency.
    new_price = plan_price(new, subscription.currency) or Money(0, subscription.currency)
    start, end = subscription.current_period_start, subscription.current_period_end
    left = remaining_fraction(start, end, now)
    credit = round_money(old_price * left)
    if credit.amount > 0:
        SubscriptionAdjustment.objects.create(
            subscription=subscription,
            kind=AdjustmentKind.CREDIT,
            plan=old,
            amount=credit,
            description=f"Unused {old.name} from {now:%Y-%m-%d}",
            period_start=now,
            period_end=end,
        )
    if new.interval != old.interval:
        # A different rhythm: the new plan's first full period starts now.
        start, end, left = now, period_end(now, new.interval), Decimal(1)
        subscription.current_period_start, subscription.current_period_end = start, end
        subscription.next_invoice_at = end
    charge = round_money(new_price * left)
    if charge.amount > 0:
        SubscriptionAdjustment.objects.create(
            subscription=subscription,
            kind=AdjustmentKind.CHARGE,
            plan=new,
            amount=charge,
            description=f"{new.name} from {now:%Y-%m-%d}",
            period_start=now,
            period_end=end,
        )


def _refuse_while_suspended(subscription: Subscription) -> None:
    """A business suspended for an unpaid invoice pays first: its billing routes stay open for
    paying, not for moving to a cheaper plan or cancelling around what it owes."""
    if subscription.status == SubscriptionStatus.SUSPENDED:
        raise held_refusal(SubscriptionStatus.SUSPENDED, subscription.tenant.name)


def _owes(subscription: Subscription) -> bool:
    return Invoice.objects.filter(
        subscription=subscription,
        status__in=(InvoiceStatus.FINALIZED, InvoiceStatus.UNCOLLECTIBLE),
    ).exists()


@transaction.atomic
def subscription_change_plan(
    *, tenant: Tenant, plan_code: str, when: str = NOW, now: datetime | None = None
) -> Subscription:
    """Moves ``tenant`` to another plan, now (prorated; during a trial nothing is owed, so
    nothing is prorated) or when the current period ends."""
    if when not in CHANGE_TIMINGS:
        raise ValidationFailed.for_field("when", "invalid", "Say now or period_end.")
    now = now or timezone.now()
    subscription = _locked(tenant)
    if subscription.status == SubscriptionStatus.CANCELLED:
        raise Conflict("Reactivate the subscription before changing its plan.", code="cancelled")
    _refuse_while_suspended(subscription)
    plan = _new_plan(plan_code, subscription)
    if when == PERIOD_END:
        subscription.pending_plan = plan
    else:
        if subscription.status != SubscriptionStatus.TRIALING:
            _prorate(subscription, plan, now)
        subscription.plan = plan
        subscription.pending_plan = None
    subscription.save()
    return subscription


@transaction.atomic
def subscription_cancel(*, tenant: Tenant) -> Subscription:
    """Cancels at the end of the current period (or trial); until then nothing changes."""
    subscription = _locked(tenant)
    if subscription.status == SubscriptionStatus.CANCELLED or subscription.cancel_at_period_end:
        raise Conflict("The subscription is already cancelled.", code="already_cancelled")
    _refuse_while_suspended(subscription)
    subscription.cancel_at_period_end = True
    subscription.save(update_fields=["cancel_at_period_end", "updated_at"])
    return subscription


@transaction.atomic
def subscription_reactivate(*, tenant: Tenant, now: datetime | None = None) -> Subscription:
    """Undoes a cancellation: one still pending is withdrawn; a subscription already cancelled
    starts a new period on its plan, and the business is active again."""
    now = now or timezone.now()
    subscription = _locked(tenant)
    if subscription.status == SubscriptionStatus.CANCELLED:
        if _owes(subscription):
            # Cancelled for non-payment: paying is what reactivates it (billing/services/
            # collection.py), never asking.
            raise held_refusal(SubscriptionStatus.CANCELLED, tenant.name)
        subscription.status = SubscriptionStatus.ACTIVE
        subscription.current_period_start = now
        subscription.current_period_end = period_end(now, subscription.plan.interval)
        subscription.trial_end = None
        subscription.cancelled_at = None
        # The new period's base fee is invoiced now, in advance, as every period's is.
        subscription.next_invoice_at = now
        subscription.usage_from = now
        subscription.past_due_since = None
    elif not subscription.cancel_at_period_end:
        raise Conflict("The subscription is not cancelled.", code="not_cancelled")
    subscription.cancel_at_period_end = False
    subscription.save()
    status_follow(subscription, "Subscription reactivated")
    return subscription
