"""The billing catalog and subscriptions in tests.

Transactional tests flush every public table, the plans and tax rates seeded by billing's
migrations included; ``ensure_catalog`` seeds them again, as ``ensure_public_tenant`` restores
the root domain.
"""

from __future__ import annotations

import importlib

from django.apps import apps

from billing.models import Plan, Subscription, TaxRate
from billing.services.subscriptions import subscription_change_plan, subscription_start
from shared_apps.tenants.models import Tenant

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
