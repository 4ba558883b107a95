"""The billing run's second half: charging finalized invoices, recording what the gateway
answered (from the call or a webhook), and dunning when a charge fails.

A charge is three steps. (1) Under the invoice's row lock, the attempt is written with its
reference and committed. (2) The gateway is called with that reference as its idempotency key,
no lock held. (3) Under the lock again, the answer is recorded. A worker killed between (1) and
(3) leaves a pending attempt; the rerun calls the gateway again with the same reference, and the
gateway answers with the first charge instead of making a second one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from billing.gateways.base import ChargeResult
from billing.gateways.registry import gateway_named
from billing.models import (
    AttemptStatus,
    BillingAccount,
    Invoice,
    InvoiceStatus,
    PaymentAttempt,
    Subscription,
    SubscriptionStatus,
)
from billing.periods import period_end
from billing.services.subscriptions import status_follow
from saas_platform.locking import lock_row

NO_PAYMENT_METHOD = "no_payment_method"
# Invoices that may still be paid: owed, or given up on by dunning (paying one reactivates).
PAYABLE = (InvoiceStatus.FINALIZED, InvoiceStatus.UNCOLLECTIBLE)


def attempt_reference(invoice: Invoice, number: int) -> str:
    """The first attempt's reference is the invoice's id; each retry adds its number (a gateway
    answers a replayed key with the first, failed, result)."""
    # Letters, digits and hyphens: what every gateway accepts in a reference.
    return f"inv-{invoice.pk}" if number == 1 else f"inv-{invoice.pk}-r{number}"


def charge_description(invoice_number: str) -> str:
    """What the payer's statement shows; part of the request the idempotency key stands for,
    so a rerun must send it unchanged."""
    return f"Duka invoice {invoice_number}"


@dataclass(frozen=True)
class PlannedCharge:
    attempt: PaymentAttempt
    account: BillingAccount
    email: str
    number: str


def _account(invoice: Invoice) -> BillingAccount | None:
    return BillingAccount.objects.filter(tenant_id=invoice.tenant_id).first()


@transaction.atomic
def _plan_charge(invoice_id: int, now: datetime) -> PlannedCharge | None:
    invoice = lock_row(Invoice.objects.select_related("tenant"), pk=invoice_id)
    if invoice is None or invoice.status not in PAYABLE or invoice.amount_due_minor == 0:
        return None
    account = _account(invoice)
    pending = invoice.attempts.filter(status=AttemptStatus.PENDING).first()
    if pending is None:
        if invoice.next_attempt_at is None or invoice.next_attempt_at > now:
            return None
        number = invoice.attempts.count() + 1
        pending = PaymentAttempt.objects.create(
            invoice=invoice,
            number=number,
            reference=attempt_reference(invoice, number),
            gateway=account.gateway if account else "",
            amount_minor=invoice.amount_due_minor,
            currency=invoice.currency,
        )
        invoice.next_attempt_at = None  # until this attempt's answer decides
        invoice.gateway = pending.gateway
        invoice.save(update_fields=["next_attempt_at", "gateway", "updated_at"])
    if account is None or not account.has_method:
        _finish(pending, invoice, AttemptStatus.FAILED, now, failure_code=NO_PAYMENT_METHOD,
                failure_message="No payment method is saved.")  # fmt: skip
        return None
    return PlannedCharge(
        attempt=pending,
        account=account,
        email=invoice.tenant.owner_email,
        number=invoice.number or "",
    )


def invoice_collect(*, invoice_id: int, now: datetime | None = None) -> PaymentAttempt | None:
    """Charges the invoice when a charge is due (or one was left pending). Returns the attempt
    as recorded, or None when there was nothing to charge. A gateway that cannot be reached
    raises ``GatewayError`` and leaves the attempt pending for the rerun."""
    now = now or timezone.now()
    planned = _plan_charge(invoice_id, now)
    if planned is None:
        return None
    attempt, account = planned.attempt, planned.account
    result = gateway_named(account.gateway).charge(
        customer_id=account.customer_id,
        method_token=account.method_token,
        email=planned.email,
        amount_minor=attempt.amount_minor,
        currency=attempt.currency,
        reference=attempt.reference,
        description=charge_description(planned.number),
    )
    return attempt_record(reference=attempt.reference, result=result, now=now)


def attempt_record(
    *, reference: str, result: ChargeResult, now: datetime | None = None
) -> PaymentAttempt | None:
    """Records a gateway's answer about the charge under ``reference``, from the call or a
    webhook, in any order and any number of times: a success is final; a failure or a request
    for the payer's action counts only while the attempt has no final answer."""
    now = now or timezone.now()
    found = (
        PaymentAttempt.objects.filter(reference=reference)
        .values_list("invoice_id", flat=True)
        .first()
    )
    if found is None:
        return None
    with transaction.atomic():
        # The invoice first, as every writer of attempts locks it.
        invoice = lock_row(Invoice.objects.select_related("tenant"), pk=found)
        attempt = lock_row(PaymentAttempt, reference=reference)
        if invoice is None or attempt is None:
            return None
        if attempt.status in (AttemptStatus.SUCCEEDED, AttemptStatus.FAILED):
            if result.status == "succeeded" and attempt.status == AttemptStatus.FAILED:
                # A late success after a failure we recorded (the payer confirmed, the bank
                # answered late): the money came, so it counts.
                pass
            else:
                return attempt
        status = {
            "succeeded": AttemptStatus.SUCCEEDED,
            "failed": AttemptStatus.FAILED,
            "requires_action": AttemptStatus.REQUIRES_ACTION,
            "pending": AttemptStatus.PENDING,
        }[result.status]
        if status == AttemptStatus.PENDING or status == attempt.status:
            return attempt
        _finish(
            attempt,
            invoice,
            status,
            now,
            gateway_reference=result.gateway_reference,
            failure_code=result.failure_code,
            failure_message=result.failure_message,
            action_url=result.action_url,
        )
        return attempt


def _finish(
    attempt: PaymentAttempt,
    invoice: Invoice,
    status: str,
    now: datetime,
    *,
    gateway_reference: str = "",
    failure_code: str = "",
    failure_message: str = "",
    action_url: str = "",
) -> None:
    attempt.status = status
    attempt.gateway_reference = gateway_reference or attempt.gateway_reference
    attempt.failure_code = failure_code[:60]
    attempt.failure_message = failure_message[:300]
    attempt.action_url = action_url[:500]
    attempt.finished_at = now
    attempt.save()
    if status == AttemptStatus.SUCCEEDED:
        invoice_mark_paid(invoice, now=now)
    elif invoice.status == InvoiceStatus.FINALIZED:
        _schedule_retry(invoice, now)


def _failed_attempts(invoice: Invoice) -> int:
    return invoice.attempts.exclude(
        status__in=(AttemptStatus.PENDING, AttemptStatus.SUCCEEDED)
    ).count()


def _schedule_retry(invoice: Invoice, now: datetime) -> None:
    """After a failed charge: the subscription is past due (from the first failure), and the
    invoice is tried again on the next of the retry days (counted from that first failure)."""
    subscription = lock_row(
        Subscription.objects.select_related("tenant"), pk=invoice.subscription_id
    )
    if subscription is None:
        return
    if subscription.status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING):
        subscription.status = SubscriptionStatus.PAST_DUE
    if subscription.past_due_since is None:
        subscription.past_due_since = now
    subscription.save(update_fields=["status", "past_due_since", "updated_at"])
    status_follow(subscription, "A charge failed")
    failures = _failed_attempts(invoice)
    days = list(settings.BILLING_RETRY_DAYS)
    invoice.next_attempt_at = (
        subscription.past_due_since + timedelta(days=days[failures - 1])
        if failures <= len(days)
        else None
    )
    invoice.save(update_fields=["next_attempt_at", "updated_at"])
    transaction.on_commit(lambda: _notify_failure(invoice.pk))


def _notify_failure(invoice_id: int) -> None:
    from billing.emails import send_dunning_email

    send_dunning_email(invoice_id=invoice_id)


def invoice_mark_paid(invoice: Invoice, *, now: datetime) -> None:
    """The invoice is paid; when it was the business's last unpaid one, the subscription is in
    good standing again (active), whatever dunning had made of it."""
    invoice.status = InvoiceStatus.PAID
    invoice.paid_at = now
    invoice.next_attempt_at = None
    invoice.save(update_fields=["status", "paid_at", "next_attempt_at", "updated_at"])
    still_owed = Invoice.objects.filter(
        subscription_id=invoice.subscription_id, status__in=PAYABLE
    ).exclude(pk=invoice.pk)
    if still_owed.exists():
        return
    subscription = lock_row(
        Subscription.objects.select_related("tenant", "plan"), pk=invoice.subscription_id
    )
    if subscription is None:
        return
    if subscription.status not in (
        SubscriptionStatus.PAST_DUE,
        SubscriptionStatus.SUSPENDED,
        SubscriptionStatus.CANCELLED,
    ):
        return
    if subscription.status == SubscriptionStatus.CANCELLED and subscription.past_due_since is None:
        # Cancelled by the owner, not by dunning: paying an old invoice does not undo that.
        return
    if subscription.status == SubscriptionStatus.CANCELLED:
        # Dunning had ended it: a new period starts now, its base fee invoiced at once.
        subscription.current_period_start = now
        subscription.current_period_end = period_end(now, subscription.plan.interval)
        subscription.next_invoice_at = now
        subscription.usage_from = now
        subscription.cancelled_at = None
    subscription.status = SubscriptionStatus.ACTIVE
    subscription.past_due_since = None
    subscription.save()
    status_follow(subscription, "Paid")
