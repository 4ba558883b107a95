"""The billing run on a real Celery worker killed with SIGKILL while a gateway is charging, then
run again on a new worker: every business invoiced once and charged once, by the fakes' own
records; and a gateway outage retried with backoff until the one charge goes through. The
worker is a separate process on a queue of the test's own; the fakes are served from this
process over HTTP."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from typing import Any

import pytest

from billing.models import AttemptStatus, Invoice, InvoiceStatus, PaymentAttempt, Subscription
from billing.services.invoicing import invoice_next_boundary
from billing.tasks import collect_invoice, run
from devtools.billing_fakes.server import BillingFakes
from shared_apps.tenants.models import Tenant
from tests.support.billing import end_trials, save_card, save_mobile_money
from tests.support.waiting import wait_until
from tests.support.workers import start_worker, stop_worker

pytestmark = pytest.mark.django_db(transaction=True)


def _businesses(make_tenant: Callable[..., Tenant], fakes: BillingFakes) -> list[Tenant]:
    """Four businesses whose trials just ended: two billed in USD through Stripe, two in KES
    through Paystack, each with a saved payment method."""
    tenants = []
    for n in range(4):
        if n % 2:
            tenant = make_tenant(country="KE", currency="KES", time_zone="Africa/Nairobi")
            save_mobile_money(tenant, fakes)
        else:
            tenant = make_tenant(country="US", currency="USD", time_zone="America/New_York")
            save_card(tenant, fakes)
        tenants.append(tenant)
    end_trials(*tenants)
    return tenants


def _all_paid(count: int) -> bool:
    return Invoice.objects.filter(status=InvoiceStatus.PAID).count() == count


def test_a_worker_killed_mid_charge_then_a_rerun_invoice_and_charge_every_business_once(
    make_tenant: Callable[..., Tenant],
    billing_fakes: BillingFakes,
    settings: Any,
) -> None:
    tenants = _businesses(make_tenant, billing_fakes)
    # The rerun asks again about a charge left without an answer at once, not after 10 minutes.
    settings.BILLING_PENDING_ATTEMPT_AFTER = 0
    worker_env = {
        **billing_fakes.settings(),
        "BILLING_TASK_QUEUE": settings.BILLING_TASK_QUEUE,
        "BILLING_PENDING_ATTEMPT_AFTER": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    # Every Stripe call does its work, then takes 30 s to answer: the first charge is made and
    # recorded at the gateway while the worker still waits for the answer.
    billing_fakes.stripe.answer_late(30, count=1000)
    worker = start_worker(settings.BILLING_TASK_QUEUE, **worker_env)
    try:
        run.apply_async(queue=settings.BILLING_TASK_QUEUE)
        assert wait_until(lambda: len(billing_fakes.stripe.charges) == 1, timeout=120)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        stop_worker(worker)

    # Killed mid-charge: Stripe charged an invoice whose attempt we never heard back about.
    charged = billing_fakes.stripe.charges[0]["reference"]
    attempt = PaymentAttempt.objects.get(reference=charged)
    assert attempt.status == AttemptStatus.PENDING
    assert not _all_paid(len(tenants))

    billing_fakes.stripe.answer_late(0, count=0)
    worker = start_worker(settings.BILLING_TASK_QUEUE, **worker_env)
    try:
        run.apply_async(queue=settings.BILLING_TASK_QUEUE).get(timeout=120)
        assert wait_until(lambda: _all_paid(len(tenants)), timeout=120)
        # A third run finds nothing left to do.
        again = run.apply_async(queue=settings.BILLING_TASK_QUEUE).get(timeout=120)
    finally:
        stop_worker(worker)

    assert again["subscriptions"] == again["invoices"] == 0
    invoices = list(Invoice.objects.order_by("tenant_id"))
    assert [invoice.tenant_id for invoice in invoices] == sorted(t.pk for t in tenants)
    fakes_charges = [
        c
        for c in billing_fakes.stripe.charges + billing_fakes.paystack.charges
        if c["reference"].startswith("inv-")
    ]
    assert len(fakes_charges) == len(tenants)
    for invoice in invoices:
        attempts = list(invoice.attempts.all())
        assert [a.status for a in attempts] == [AttemptStatus.SUCCEEDED]
        fake = billing_fakes.stripe if invoice.currency == "USD" else billing_fakes.paystack
        (charge,) = fake.charges_for(attempts[0].reference)
        assert charge["status"] in {"succeeded", "success"}  # each gateway's own word
        assert (charge["amount_minor"], charge["currency"]) == (
            invoice.total_minor,
            invoice.currency,
        )
        assert invoice.total_minor > 0
    # The killed worker's charge was the one the rerun took up, under the same reference.
    assert PaymentAttempt.objects.get(reference=charged).status == AttemptStatus.SUCCEEDED


def test_a_gateway_outage_is_retried_with_backoff_until_the_charge_goes_through(
    make_tenant: Callable[..., Tenant],
    billing_fakes: BillingFakes,
    settings: Any,
) -> None:
    shop = make_tenant(country="US", currency="USD", time_zone="America/New_York")
    save_card(shop, billing_fakes)
    end_trials(shop)
    invoice = invoice_next_boundary(subscription_id=Subscription.objects.get(tenant=shop).pk)
    assert invoice is not None
    # Stripe is down for the task's first two tries (the client itself retries each call once).
    billing_fakes.stripe.fail_next(4, status=503)
    worker = start_worker(
        settings.BILLING_TASK_QUEUE,
        BILLING_TASK_QUEUE=settings.BILLING_TASK_QUEUE,
        **billing_fakes.settings(),
    )
    try:
        collect_invoice.apply_async((invoice.pk,), queue=settings.BILLING_TASK_QUEUE)
        assert wait_until(
            lambda: Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.PAID, timeout=120
        )
    finally:
        stop_worker(worker)

    tries = billing_fakes.requests("/v1/payment_intents")
    assert len(tries) == 5  # four refused, then the one that charged
    assert len({t["headers"]["idempotency-key"] for t in tries}) == 1
    (attempt,) = invoice.attempts.all()
    assert attempt.status == AttemptStatus.SUCCEEDED
    assert len(billing_fakes.stripe.charges_for(attempt.reference)) == 1
