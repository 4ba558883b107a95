"""The billing catalog and subscriptions in tests.

Transactional tests flush every public table, the plans seeded by billing's migration included;
``ensure_catalog`` seeds them again, as ``ensure_public_tenant`` restores the root domain.
"""

from __future__ import annotations

import importlib

from django.apps import apps

from billing.models import Plan, Subscription
from billing.services.subscriptions import subscription_change_plan, subscription_start
from shared_apps.tenants.models import Tenant

_SEED = importlib.import_module("billing.migrations.0002_seed_plans")


def ensure_catalog() -> None:
    """The three seeded plans, their metrics and charges, when the table is empty."""
    if not Plan.objects.exists():
        _SEED.seed(apps, None)


def put_on_plan(tenant: Tenant, code: str) -> Subscription:
    """``tenant`` subscribed to plan ``code`` from now (a trial when the plan has one)."""
    ensure_catalog()
    if not Subscription.objects.filter(tenant=tenant).exists():
        return subscription_start(tenant=tenant, plan=Plan.objects.get(code=code))
    if Subscription.objects.filter(tenant=tenant, plan__code=code).exists():
        return Subscription.objects.get(tenant=tenant)
    return subscription_change_plan(tenant=tenant, plan_code=code)
