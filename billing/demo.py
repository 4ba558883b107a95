"""The demo business's billing, for `make run`: a subscription with usage this period and, when
the local billing fakes are served, a payment method saved at the fake gateway and a first
invoice paid with it.

The demo's trial is moved to have ended a minute ago (it began at signup, moments before):
the only way to show a paid invoice on a business made just now. Everything after that is the
real billing code: the invoice of the trial's end, written by the run's own service and charged
at the fake gateway."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from billing.models import BillingAccount, Invoice, Subscription
from billing.services.accounts import account_finish_setup, account_start_setup
from billing.services.collection import invoice_collect
from billing.services.invoicing import invoice_next_boundary
from billing.usage import API_CALLS, MESSAGES_SENT, usage_record
from shared_apps.tenants.models import Tenant

# The demo stands in for the owner on the gateway's hosted page (devtools/billing_fakes/owner.py).
SaveOnHostedPage = Callable[[str], None]
TRIAL_DAYS_SHOWN = 14


def _usage_this_period(tenant: Tenant, subscription: Subscription) -> None:
    """A few dozen API calls and SMS since the period began (keys fixed: reseeding adds none)."""
    start = subscription.usage_from or subscription.current_period_start
    for metric, count in ((API_CALLS, 40), (MESSAGES_SENT, 12)):
        for n in range(count):
            usage_record(
                tenant_id=tenant.pk,
                metric_code=metric,
                idempotency_key=f"demo-{metric}-{n}",
                occurred_at=start + timedelta(seconds=n + 1),
            )


def _end_trial_now(subscription: Subscription) -> None:
    ended = timezone.now() - timedelta(minutes=1)
    Subscription.objects.filter(pk=subscription.pk).update(
        current_period_start=ended - timedelta(days=TRIAL_DAYS_SHOWN),
        current_period_end=ended,
        trial_end=ended,
        next_invoice_at=ended,
        usage_from=ended - timedelta(days=TRIAL_DAYS_SHOWN),
    )


def seed_demo_billing(
    tenant: Tenant, *, return_url: str, save_on_page: SaveOnHostedPage | None
) -> Invoice | None:
    """Once per demo business: a method saved through ``save_on_page`` (None: no fakes, so
    the demo stays in its trial), the trial's invoice paid, and usage in the new period.
    Returns the paid invoice, if any."""
    subscription = Subscription.objects.filter(tenant=tenant).first()
    if subscription is None:  # made when no plan was set up: nothing to bill
        return None
    paid = Invoice.objects.filter(tenant=tenant).order_by("pk").first()
    if paid is None and save_on_page is not None:
        session = account_start_setup(tenant=tenant, return_url=return_url)
        save_on_page(session.url)
        gateway = BillingAccount.objects.get(tenant=tenant).gateway
        account_finish_setup(gateway=gateway, reference=session.reference)
        _end_trial_now(subscription)
        paid = invoice_next_boundary(subscription_id=subscription.pk)
        if paid is not None:
            invoice_collect(invoice_id=paid.pk)
            paid.refresh_from_db()
        subscription.refresh_from_db()
    _usage_this_period(tenant, subscription)
    return paid
