"""Subscriptions: the trial at signup, plan changes with proration, cancel and reactivate."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from moneyed import Money

from billing.models import AdjustmentKind, Subscription, SubscriptionAdjustment
from billing.services.subscriptions import (
    subscription_cancel,
    subscription_change_plan,
    subscription_reactivate,
    subscription_start,
)
from saas_platform.errors import Conflict, ValidationFailed
from shared_apps.tenants.models import Tenant, TenantStatusChange

pytestmark = pytest.mark.django_db

JUNE = datetime(2026, 6, 1, tzinfo=UTC)


def test_signup_starts_a_trial_on_the_default_plan_in_the_starter_shop_currency(
    catalog: None, make_tenant: Callable[..., Tenant]
) -> None:
    tenant = make_tenant(currency="KES")

    subscription = Subscription.objects.get(tenant=tenant)
    assert (subscription.plan.code, subscription.status, subscription.currency) == (
        "starter",
        "trialing",
        "KES",
    )
    assert subscription.trial_end == subscription.current_period_end
    assert subscription.current_period_end - subscription.current_period_start == timedelta(days=14)


def test_a_currency_without_a_price_is_billed_in_usd(
    catalog: None, make_tenant: Callable[..., Tenant]
) -> None:
    tenant = make_tenant(currency="EUR", country="DE", time_zone="Europe/Berlin")

    assert Subscription.objects.get(tenant=tenant).currency == "USD"


def _active_on_starter(tenant: Tenant) -> Subscription:
    """``tenant``'s subscription made again: active on Starter for June (KES)."""
    Subscription.objects.filter(tenant=tenant).delete()
    subscription = subscription_start(tenant=tenant, now=JUNE)
    Subscription.objects.filter(pk=subscription.pk).update(
        status="active",
        trial_end=None,
        current_period_start=JUNE,
        current_period_end=datetime(2026, 7, 1, tzinfo=UTC),
    )
    return Subscription.objects.get(pk=subscription.pk)


def test_changing_plan_now_credits_the_unused_fee_and_charges_the_new_one(
    catalog: None, starter_shop: Tenant
) -> None:
    _active_on_starter(starter_shop)
    # June has 30 days; 10 are left on the 21st.
    subscription = subscription_change_plan(
        tenant=starter_shop, plan_code="growth", now=datetime(2026, 6, 21, tzinfo=UTC)
    )

    assert subscription.plan.code == "growth"
    adjustments = {
        a.kind: a for a in SubscriptionAdjustment.objects.filter(subscription=subscription)
    }
    # Starter is KES 2,500 and Growth KES 6,500 a month.
    assert adjustments[AdjustmentKind.CREDIT].amount == Money("833.33", "KES")
    assert adjustments[AdjustmentKind.CREDIT].plan.code == "starter"
    assert adjustments[AdjustmentKind.CHARGE].amount == Money("2166.67", "KES")
    assert subscription.current_period_end == datetime(2026, 7, 1, tzinfo=UTC)


def test_changing_plan_during_the_trial_owes_nothing(catalog: None, starter_shop: Tenant) -> None:
    subscription = subscription_change_plan(tenant=starter_shop, plan_code="scale")

    assert (subscription.plan.code, subscription.status) == ("scale", "trialing")
    assert not SubscriptionAdjustment.objects.exists()


def test_changing_plan_at_period_end_only_records_the_change(
    catalog: None, starter_shop: Tenant
) -> None:
    _active_on_starter(starter_shop)

    subscription = subscription_change_plan(
        tenant=starter_shop,
        plan_code="growth",
        when="period_end",
        now=datetime(2026, 6, 21, tzinfo=UTC),
    )

    assert (subscription.plan.code, subscription.pending_plan.code) == ("starter", "growth")  # type: ignore[union-attr]
    assert not SubscriptionAdjustment.objects.exists()


def test_a_change_to_the_same_or_an_unknown_plan_is_refused(
    catalog: None, starter_shop: Tenant
) -> None:
    with pytest.raises(Conflict):
        subscription_change_plan(tenant=starter_shop, plan_code="starter")
    with pytest.raises(ValidationFailed):
        subscription_change_plan(tenant=starter_shop, plan_code="platinum")
    assert Subscription.objects.get(tenant=starter_shop).plan.code == "starter"


def test_cancel_waits_for_the_period_end_and_reactivate_withdraws_it(
    catalog: None, starter_shop: Tenant
) -> None:
    cancelled = subscription_cancel(tenant=starter_shop)
    assert (cancelled.cancel_at_period_end, cancelled.status) == (True, "trialing")
    with pytest.raises(Conflict):
        subscription_cancel(tenant=starter_shop)

    reactivated = subscription_reactivate(tenant=starter_shop)

    assert (reactivated.cancel_at_period_end, reactivated.status) == (False, "trialing")
    with pytest.raises(Conflict):
        subscription_reactivate(tenant=starter_shop)


def test_reactivating_a_cancelled_subscription_makes_the_starter_shop_active(
    catalog: None, starter_shop: Tenant
) -> None:
    Subscription.objects.filter(tenant=starter_shop).update(status="cancelled")
    Tenant.objects.filter(pk=starter_shop.pk).update(status="cancelled")

    subscription = subscription_reactivate(tenant=starter_shop, now=JUNE)

    assert subscription.status == "active"
    assert subscription.current_period_end == datetime(2026, 7, 1, tzinfo=UTC)
    starter_shop.refresh_from_db()
    assert starter_shop.status == "active"
    change = TenantStatusChange.objects.get(tenant=starter_shop)
    assert (change.from_status, change.to_status) == ("cancelled", "active")
