"""The demo business's billing as `make run` seeds it: the owner saves M-Pesa on the fake
Paystack's hosted page (over HTTP), the trial's invoice is written and paid, and this period has
usage; seeding again changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from billing.demo import seed_demo_billing
from billing.models import Invoice, InvoiceStatus, Subscription, SubscriptionStatus, UsageEvent
from devtools.billing_fakes.owner import save_method_on_hosted_page
from devtools.billing_fakes.server import BillingFakes
from shared_apps.tenants.models import Tenant

pytestmark = pytest.mark.django_db

URL = "http://demo.duka.test/billing/"


def test_the_demo_pays_its_trial_invoice_at_the_fakes_and_has_usage_this_period(
    make_tenant: Callable[..., Tenant],
    billing_fakes: BillingFakes,
    django_capture_on_commit_callbacks: Any,
) -> None:
    shop = make_tenant(country="KE", currency="KES", time_zone="Africa/Nairobi")

    # Usage events are recorded once the seeding's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        paid = seed_demo_billing(shop, return_url=URL, save_on_page=save_method_on_hosted_page)
    with django_capture_on_commit_callbacks(execute=True):
        again = seed_demo_billing(shop, return_url=URL, save_on_page=save_method_on_hosted_page)

    assert paid is not None and again is not None and again.pk == paid.pk
    assert paid.status == InvoiceStatus.PAID and paid.total_minor > 0
    (charge,) = billing_fakes.paystack.charges_for(paid.attempts.get().reference)
    assert (charge["status"], charge["amount_minor"]) == ("success", paid.total_minor)
    assert Invoice.objects.filter(tenant=shop).count() == 1
    subscription = Subscription.objects.get(tenant=shop)
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert subscription.usage_from is not None
    this_period = UsageEvent.objects.filter(tenant=shop, occurred_at__gte=subscription.usage_from)
    assert this_period.filter(metric_code="api_calls").count() == 40
    assert this_period.filter(metric_code="sms_sent").count() == 12


def test_without_the_fakes_the_demo_stays_in_its_trial_with_usage(
    make_tenant: Callable[..., Tenant], django_capture_on_commit_callbacks: Any
) -> None:
    shop = make_tenant(country="KE", currency="KES", time_zone="Africa/Nairobi")

    with django_capture_on_commit_callbacks(execute=True):
        assert seed_demo_billing(shop, return_url=URL, save_on_page=None) is None

    assert Subscription.objects.get(tenant=shop).status == SubscriptionStatus.TRIALING
    assert UsageEvent.objects.filter(tenant=shop).count() == 52
