"""The billing catalog and subscriptions in tests.

Transactional tests flush every public table, the plans seeded by billing's migration included;
``ensure_catalog`` seeds them again, as ``ensure_public_tenant`` restores the root domain.
"""

from __future__ import annotations

import importlib
from datetime import timedelta

from django.apps import apps
from django.utils import timezone

from billing.models import BillingAccount, Invoice, InvoiceStatus, Plan, Subscription, TaxRate
from billing.services.accounts import account_finish_setup, account_start_setup
from billing.services.collection import invoice_collect
from billing.services.invoicing import invoice_next_boundary
from billing.services.subscriptions import subscription_change_plan, subscription_start
from devtools.billing_fakes.server import BillingFakes
from shared_apps.tenants.models import Tenant

_SEED = importlib.import_module("billing.migrations.0002_seed_plans")
_TAX_SEED = importlib.import_module("billing.migrations.0005_billing_cycle_and_tax_rates")


def ensure_catalog() -> None:
    """The three seeded plans, their metrics and charges, and the seeded tax rates, when their
    tables are empty (a transactional test, an end-to-end one included, flushed them; with
    ``--reuse-db`` that outlives the run)."""
    if not Plan.objects.exists():
        _SEED.seed(apps, None)
    if not TaxRate.objects.exists():
        TaxRate.objects.bulk_create(
            TaxRate(country=country, name=name, rate=rate)
            for country, (name, rate) in _TAX_SEED.TAX_RATES.items()
        )


def put_on_plan(tenant: Tenant, code: str) -> Subscription:
    """``tenant`` subscribed to plan ``code`` from now (a trial when the plan has one)."""
    ensure_catalog()
    if not Subscription.objects.filter(tenant=tenant).exists():
        return subscription_start(tenant=tenant, plan=Plan.objects.get(code=code))
    if Subscription.objects.filter(tenant=tenant, plan__code=code).exists():
        return Subscription.objects.get(tenant=tenant)
    return subscription_change_plan(tenant=tenant, plan_code=code)


# --- paying: payment methods saved at the gateways' fakes, boundaries invoiced and charged -----

RETURN_URL = "https://shop.duka.test/billing/"
VISA = "4242424242424242"


def save_card(tenant: Tenant, fakes: BillingFakes, card: str = VISA) -> BillingAccount:
    """A card saved through Stripe's hosted checkout (a business billed in USD)."""
    session = account_start_setup(tenant=tenant, return_url=RETURN_URL)
    fakes.stripe.complete_checkout(session.reference, card)
    account = account_finish_setup(gateway="stripe", reference=session.reference)
    assert account is not None
    return account


def save_mobile_money(tenant: Tenant, fakes: BillingFakes) -> BillingAccount:
    """Mobile money saved through Paystack's hosted page (a business billed in KES)."""
    session = account_start_setup(tenant=tenant, return_url=RETURN_URL)
    fakes.paystack.pay(session.url.rsplit("/", 1)[1], method="mobile_money")
    account = account_finish_setup(gateway="paystack", reference=session.reference)
    assert account is not None
    return account


def bill_next_boundary(tenant: Tenant, *, late: timedelta = timedelta(hours=1)) -> Invoice | None:
    """The billing run reaching ``tenant``'s next boundary ``late`` after it: the invoice is
    written and charged at that moment (the business's saved method, or none)."""
    subscription = Subscription.objects.get(tenant=tenant)
    assert subscription.next_invoice_at is not None
    now = subscription.next_invoice_at + late
    invoice = invoice_next_boundary(subscription_id=subscription.pk, now=now)
    if invoice is not None and invoice.status == InvoiceStatus.FINALIZED:
        invoice_collect(invoice_id=invoice.pk, now=now)
        invoice.refresh_from_db()
    return invoice


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
