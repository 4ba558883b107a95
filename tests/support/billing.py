"""The billing catalog and subscriptions in tests.

Transactional tests flush every public table, the plans and tax rates seeded by billing's
migrations included; ``ensure_catalog`` seeds them again, as ``ensure_public_tenant`` restores
the root domain.
"""

from __future__ import annotations

import importlib
from datetime import timedelta

from django.apps import apps
from django.utils import timezone

from billing.models import BillingAccount, Plan, Subscription, TaxRate
from billing.services.accounts import account_finish_setup, account_start_setup
from billing.services.subscriptions import subscription_change_plan, subscription_start
from devtools.billing_fakes.server import BillingFakes
from shared_apps.tenants.models import Tenant

RETURN_URL = "https://shop.duka.test/billing/"
VISA = "4242424242424242"

_SEED = importlib.import_module("billing.migrations.0002_seed_plans")
_TAX_SEED = importlib.import_module("billing.migrations.0005_billing_cycle_and_tax_rates")


def ensure_catalog() -> None:
    """The three seeded plans, their metrics and charges, and the seeded tax rates, when their
    tables are empty."""
    if not Plan.objects.exists():
        _SEED.seed(apps, None)
    if not TaxRate.objects.exists():
        for country, (name, rate) in _TAX_SEED.TAX_RATES.items():
            TaxRate.objects.create(country=country, name=name, rate=rate)


def put_on_plan(tenant: Tenant, code: str) -> Subscription:
    """``tenant`` subscribed to plan ``code`` from now (a trial when the plan has one)."""
    ensure_catalog()
    if not Subscription.objects.filter(tenant=tenant).exists():
        return subscription_start(tenant=tenant, plan=Plan.objects.get(code=code))
    if Subscription.objects.filter(tenant=tenant, plan__code=code).exists():
        return Subscription.objects.get(tenant=tenant)
    return subscription_change_plan(tenant=tenant, plan_code=code)


def save_card(tenant: Tenant, fakes: BillingFakes, card: str = VISA) -> BillingAccount:
    """A card saved through the fake Stripe's Checkout page (setup mode), as an owner would."""
    session = account_start_setup(tenant=tenant, return_url=RETURN_URL)
    fakes.stripe.complete_checkout(session.reference, card)
    account = account_finish_setup(gateway="stripe", reference=session.reference)
    assert account is not None
    return account


def save_mobile_money(tenant: Tenant, fakes: BillingFakes) -> BillingAccount:
    """A mobile-money authorization saved by paying on the fake Paystack's page."""
    session = account_start_setup(tenant=tenant, return_url=RETURN_URL)
    fakes.paystack.pay(session.url.rsplit("/", 1)[1], method="mobile_money")
    account = account_finish_setup(gateway="paystack", reference=session.reference)
    assert account is not None
    return account


def end_trials(*tenants: Tenant) -> None:
    """The trials of ``tenants`` ended a minute ago, after 14 days: their first invoice is due."""
    ended = timezone.now() - timedelta(minutes=1)
    Subscription.objects.filter(tenant__in=tenants).update(
        current_period_start=ended - timedelta(days=14),
        current_period_end=ended,
        trial_end=ended,
        next_invoice_at=ended,
        usage_from=ended - timedelta(days=14),
    )
