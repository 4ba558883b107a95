"""Dunning past the retries: a business past due for the grace period is suspended (read-only,
it can still pay), and one past due for longer is cancelled (data kept; its unpaid invoices
become uncollectible, and paying one still reactivates)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from billing.models import Invoice, InvoiceStatus, Subscription, SubscriptionStatus
from billing.services.subscriptions import status_follow
from saas_platform.locking import lock_row


def _step(subscription_id: int, status: str, reason: str) -> bool:
    with transaction.atomic():
        subscription = lock_row(Subscription.objects.select_related("tenant"), pk=subscription_id)
        if subscription is None or subscription.past_due_since is None:
            return False
        subscription.status = status
        if status == SubscriptionStatus.CANCELLED:
            subscription.cancelled_at = timezone.now()
            subscription.next_invoice_at = None
            Invoice.objects.filter(
                subscription=subscription, status=InvoiceStatus.FINALIZED
            ).update(status=InvoiceStatus.UNCOLLECTIBLE, next_attempt_at=None)
        subscription.save()
        status_follow(subscription, reason)
    transaction.on_commit(lambda: _notify(subscription_id, status))
    return True


def _notify(subscription_id: int, status: str) -> None:
    from billing.emails import send_status_email

    send_status_email(subscription_id=subscription_id, status=status)


def dunning_advance(*, now: datetime | None = None) -> dict[str, int]:
    """Suspends and cancels the subscriptions whose time has come; returns how many of each."""
    now = now or timezone.now()
    suspend_before = now - timedelta(days=settings.BILLING_GRACE_DAYS)
    cancel_before = now - timedelta(days=settings.BILLING_CANCEL_AFTER_DAYS)
    done = {"suspended": 0, "cancelled": 0}
    to_cancel = Subscription.objects.filter(
        status__in=(SubscriptionStatus.PAST_DUE, SubscriptionStatus.SUSPENDED),
        past_due_since__lte=cancel_before,
    ).values_list("pk", flat=True)
    for pk in list(to_cancel):
        done["cancelled"] += _step(pk, SubscriptionStatus.CANCELLED, "Unpaid: cancelled")
    to_suspend = Subscription.objects.filter(
        status=SubscriptionStatus.PAST_DUE, past_due_since__lte=suspend_before
    ).values_list("pk", flat=True)
    for pk in list(to_suspend):
        done["suspended"] += _step(pk, SubscriptionStatus.SUSPENDED, "Unpaid: suspended")
    return done
