"""Billing's Celery tasks. The run (beat, hourly) queues one task per due subscription and one
per invoice to charge; each task is safe to run twice or to die halfway (see
``services/invoicing.py`` and ``services/collection.py``). They work in the public schema, on
the queue ``settings.BILLING_TASK_QUEUE``.

Because each is safe to run twice, they are acknowledged late: a task whose worker dies is
delivered again (after the broker's visibility timeout), and the next hourly run queues anything
still due anyway, so a killed worker delays a business's invoice but never skips or doubles it
(tests/billing/test_run_worker.py kills one with SIGKILL mid-charge)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from billing.gateways.base import GatewayError
from billing.models import AttemptStatus, Invoice, InvoiceStatus, PaymentAttempt, Subscription
from billing.queueing import COLLECT_INVOICE, PROCESS_EVENT, billing_queue
from billing.services.collection import invoice_collect
from billing.services.dunning import dunning_advance
from billing.services.invoicing import MAX_BOUNDARIES_PER_TASK, invoice_next_boundary
from billing.services.reconciliation import reconcile
from billing.services.snapshots import usage_snapshot_take
from billing.services.webhooks import webhook_process
from saas_platform.task_kinds import idempotent_task
from shared_apps.tenants.fan_out import per_business


def _redeliverable(name: str) -> Any:
    # A gateway that did not answer is asked again later (same reference: no second charge).
    return idempotent_task(name, retry_on=(GatewayError,))


@shared_task(name="billing.run")
def run() -> dict[str, int]:
    """Queues the work that is due now; does none of it itself."""
    now = timezone.now()
    due = list(Subscription.objects.filter(next_invoice_at__lte=now).values_list("pk", flat=True))
    for pk in due:
        bill_subscription.apply_async((pk,), queue=billing_queue())
    stale = now - timedelta(seconds=settings.BILLING_PENDING_ATTEMPT_AFTER)
    to_charge = set(
        Invoice.objects.filter(
            status=InvoiceStatus.FINALIZED, next_attempt_at__lte=now
        ).values_list("pk", flat=True)
    ) | set(
        PaymentAttempt.objects.filter(
            status=AttemptStatus.PENDING, created_at__lte=stale
        ).values_list("invoice_id", flat=True)
    )
    for pk in sorted(to_charge):
        collect_invoice.apply_async((pk,), queue=billing_queue())
    moved = dunning_advance(now=now)
    return {"subscriptions": len(due), "invoices": len(to_charge), **moved}


@_redeliverable("billing.bill_subscription")
def bill_subscription(subscription_id: int) -> list[int]:
    """Invoices every boundary of the subscription that is due, then charges what it wrote."""
    written = []
    for _ in range(MAX_BOUNDARIES_PER_TASK):
        invoice = invoice_next_boundary(subscription_id=subscription_id)
        if invoice is None:
            break
        written.append(invoice.pk)
        send_invoice.apply_async((invoice.pk,), queue=billing_queue())
    for pk in written:
        invoice_collect(invoice_id=pk)
    return written


@_redeliverable(COLLECT_INVOICE)
def collect_invoice(invoice_id: int) -> str | None:
    attempt = invoice_collect(invoice_id=invoice_id)
    return attempt.status if attempt else None


@_redeliverable("billing.send_invoice")
def send_invoice(invoice_id: int) -> None:
    from billing.emails import send_invoice_email

    send_invoice_email(invoice_id=invoice_id)


@_redeliverable(PROCESS_EVENT)
def process_event(event_pk: int) -> str:
    return webhook_process(event_pk=event_pk)


@shared_task(name="billing.reconcile")
def reconcile_task() -> int:
    return len(reconcile())


@per_business(queue=billing_queue)
@shared_task(name="billing.snapshot_usage")
def snapshot_usage() -> int:
    return usage_snapshot_take().pk
