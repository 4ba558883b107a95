"""E-mails billing sends a business's owner: a new invoice, a failed charge, a change of
standing (suspended, cancelled). Sent from billing's tasks, after the transaction that
decided them has committed; a mail server that refuses is logged, never retried into a
second e-mail.

The dunning e-mails (a failed charge, a change of standing) go through the notifications'
e-mail channel: once per event (an attempt, a standing reached), logged in the business's own
notification log (tenant_apps/notifications/platform.py)."""

from __future__ import annotations

import logging

from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from billing.minor_units import from_minor
from billing.models import Invoice, Subscription, SubscriptionStatus
from saas_platform.money import format_amount
from shared_apps.tenants.models import Tenant

logger = logging.getLogger(__name__)


def _send(
    to: str, subject: str, body: str, attachments: list[tuple[str, bytes, str]] | None = None
) -> bool:
    if not to:
        return False
    message = EmailMultiAlternatives(subject=subject, body=body, to=[to])
    for name, content, mime in attachments or []:
        message.attach(name, content, mime)
    try:
        message.send()
    except OSError as error:  # smtplib's errors are OSErrors
        logger.warning("billing e-mail %r to %s failed: %s", subject, to, error)
        return False
    return True


def _due(invoice: Invoice) -> str:
    due = from_minor(invoice.amount_due_minor, invoice.currency)
    return f"{invoice.currency} {format_amount(due)}"


def send_invoice_email(*, invoice_id: int) -> None:
    """The invoice, with its PDF, once (``emailed_at`` is set only when it went)."""
    from billing.invoice_pdf import invoice_pdf

    invoice = (
        Invoice.objects.select_related("tenant").filter(pk=invoice_id, emailed_at=None).first()
    )
    if invoice is None or invoice.number is None:
        return
    body = (
        f"Invoice {invoice.number} for {invoice.tenant.name}: {_due(invoice)} "
        f"({invoice.get_status_display().lower()}).\n"
    )
    sent = _send(
        invoice.tenant.owner_email,
        f"Duka invoice {invoice.number}",
        body,
        [(f"{invoice.number}.pdf", invoice_pdf(invoice), "application/pdf")],
    )
    if sent:
        Invoice.objects.filter(pk=invoice.pk, emailed_at=None).update(emailed_at=timezone.now())


def _dunning_send(tenant: Tenant, *, event: str, subject: str, body: str) -> None:
    from tenant_apps.notifications.platform import owner_email_send
    from tenant_apps.notifications.providers.email import EmailContent

    owner_email_send(tenant=tenant, event=event, content=EmailContent(subject=subject, text=body))


def send_dunning_email(*, invoice_id: int) -> None:
    invoice = Invoice.objects.select_related("tenant").filter(pk=invoice_id).first()
    if invoice is None:
        return
    attempt = invoice.attempts.order_by("-number").first()
    reason = attempt.failure_message if attempt and attempt.failure_message else "it was declined"
    retry = (
        f"We will try again on {invoice.next_attempt_at:%Y-%m-%d}."
        if invoice.next_attempt_at
        else "We will not try again on our own."
    )
    _dunning_send(
        invoice.tenant,
        event=f"invoice:{invoice.pk}:attempt:{attempt.number if attempt else 0}",
        subject=f"Payment of Duka invoice {invoice.number} failed",
        body=f"We could not charge {_due(invoice)} for invoice {invoice.number}: {reason}.\n"
        f"{retry} Update your payment method in Settings > Billing to pay now.\n",
    )


STANDING_NEWS: dict[str, str] = {
    SubscriptionStatus.SUSPENDED.value: "is suspended: your staff can sign in, read and export, "
    "but not sell or change anything until the unpaid invoices are paid",
    SubscriptionStatus.CANCELLED.value: "is cancelled for non-payment. Your data is kept and can "
    "be exported; paying the unpaid invoices reactivates it",
}


def send_status_email(*, subscription_id: int, status: str) -> None:
    subscription = Subscription.objects.select_related("tenant").filter(pk=subscription_id).first()
    if subscription is None:
        return
    what = STANDING_NEWS.get(status, f"is now {status}")
    since = subscription.past_due_since
    _dunning_send(
        subscription.tenant,
        event=f"subscription:{subscription.pk}:{status}:{int(since.timestamp()) if since else 0}",
        subject=f"Your Duka subscription for {subscription.tenant.name}",
        body=f"Your Duka subscription for {subscription.tenant.name} {what}.\n",
    )
