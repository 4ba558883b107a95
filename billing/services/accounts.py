"""A business's payment method at its gateway: started on the gateway's hosted page, saved
when the gateway says it is done (webhook, or the owner coming back), and then every unpaid
invoice is charged at once: paying at any point reactivates."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from billing.gateways.base import SetupSession
from billing.gateways.paystack_gateway import SETUP_REFERENCE_PREFIX
from billing.gateways.registry import gateway_for_currency, gateway_named
from billing.models import BillingAccount, Invoice, InvoiceStatus
from billing.queueing import COLLECT_INVOICE, billing_task_queue
from billing.selectors import subscription_of
from saas_platform.errors import NotFound
from saas_platform.locking import lock_row
from shared_apps.tenants.models import Tenant

# Setup references start so; a Paystack charge webhook for one is a saved method, not a payment.


def _account_for(tenant: Tenant) -> BillingAccount:
    subscription = subscription_of(tenant)
    if subscription is None:
        raise NotFound(f"{tenant.name} has no subscription.", code="no_subscription")
    gateway = gateway_for_currency(subscription.currency)
    account, _ = BillingAccount.objects.get_or_create(
        tenant=tenant, defaults={"gateway": gateway.name}
    )
    return account


def account_start_setup(*, tenant: Tenant, return_url: str) -> SetupSession:
    """Where the owner saves a payment method (the gateway's hosted page). The gateway is the
    business's by its billing currency (Paystack for NGN, GHS, ZAR, KES; Stripe otherwise)."""
    account = _account_for(tenant)
    gateway = gateway_named(account.gateway)
    if not account.customer_id:
        account.customer_id = gateway.ensure_customer(
            email=tenant.owner_email, name=tenant.name, business_ref=f"tenant-{tenant.pk}"
        )
    subscription = subscription_of(tenant)
    if subscription is None:  # _account_for checked; only a concurrent delete
        raise NotFound(f"{tenant.name} has no subscription.", code="no_subscription")
    session = gateway.start_setup(
        customer_id=account.customer_id,
        email=tenant.owner_email,
        currency=subscription.currency,
        reference=f"{SETUP_REFERENCE_PREFIX}{tenant.pk}-{secrets.token_hex(6)}",
        return_url=return_url,
    )
    account.setup_reference = session.reference
    account.save(update_fields=["customer_id", "setup_reference", "updated_at"])
    return session


def account_finish_setup(*, gateway: str, reference: str) -> BillingAccount | None:
    """Saves the method the setup ``reference`` produced (None: no such setup, or not done
    yet). Idempotent: a second call saves the same method again and charges nothing twice."""
    account = BillingAccount.objects.filter(gateway=gateway, setup_reference=reference).first()
    if account is None or not reference:
        return None
    saved = gateway_named(gateway).finish_setup(reference=reference)
    if saved is None:
        return None
    now = timezone.now()
    with transaction.atomic():
        locked = lock_row(BillingAccount, pk=account.pk)
        if locked is None:
            return None
        locked.method_token = saved.token
        locked.method_kind = saved.kind
        locked.method_label = saved.label
        locked.customer_id = saved.customer_id or locked.customer_id
        locked.save()
        due = Invoice.objects.filter(
            tenant_id=locked.tenant_id,
            status__in=(InvoiceStatus.FINALIZED, InvoiceStatus.UNCOLLECTIBLE),
        )
        due.update(next_attempt_at=now)
        # Charged at once, by tasks queued with the saved method (sent when this commits).
        for invoice_id in due.values_list("pk", flat=True):
            billing_task_queue(COLLECT_INVOICE, invoice_id)
    return locked
