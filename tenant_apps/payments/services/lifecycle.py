"""A payment's life: created inside the caller's transaction, sent after commit, queried while
open, settled once (by a provider's answer or a person), its purpose's handler told.

Calls to a provider never happen inside a database transaction (a slow provider must not hold
row locks); settlement always happens under a lock on the payment's row and does nothing to a
payment that is already final, so callbacks, queries and people can race safely.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from moneyed import Money

from saas_platform.errors import Conflict, ValidationFailed
from saas_platform.phones import (
    business_region,
    phone_example,
    phone_is_mobile,
    phone_normalise,
    phone_region,
)
from tenant_apps.payments.gateways.base import (
    GatewayError,
    InitiateRequest,
    Outcome,
    ProviderResult,
)
from tenant_apps.payments.handlers import payment_handler
from tenant_apps.payments.models import Payment, PaymentStatus, Provider
from tenant_apps.payments.query_queue import query_enqueue
from tenant_apps.payments.services._common import (
    db_text,
    gateway_for,
    new_token,
    payment_locked,
    payment_row,
    site_url,
)
from tenant_apps.payments.services.accounts import active_credentials

logger = logging.getLogger(__name__)

# After the deadline a still-open payment is queried this many more times, then left to a person.
QUERIES_AFTER_DEADLINE = 3


MAX_QUERY_INTERVAL = 300.0


_UPI_VPA = re.compile(r"^[A-Za-z0-9._-]{2,256}@[A-Za-z][A-Za-z0-9.-]{1,64}$")


def payer_normalise(provider: str, payer: str) -> str:
    """The payer as stored (a phone in E.164, a VPA…), or ValidationFailed on ``payer``."""
    value = payer.strip()
    if provider in (Provider.MPESA, Provider.AIRTEL):
        return _mobile_money_payer(value)
    if provider == Provider.UPI:
        if not _UPI_VPA.match(value):
            raise ValidationFailed.for_field(
                "payer", "invalid_vpa", "Enter a UPI address such as name@bank."
            )
        return value
    if len(value) > 100:
        raise ValidationFailed.for_field("payer", "too_long", "At most 100 characters.")
    return value


def _mobile_money_payer(typed: str) -> str:
    """A mobile number of the business's own country: a mobile-money wallet and the merchant
    account that collects from it are both national."""
    region = business_region()
    phone = phone_normalise(typed, region=region, field="payer")
    if not phone or phone_region(phone) != region or not phone_is_mobile(phone):
        example = phone_example(region)
        raise ValidationFailed.for_field(
            "payer",
            "invalid_phone",
            f"Enter the payer's mobile number{f' such as {example}' if example else ''}.",
        )
    return phone


def payment_callback_url(payment: Payment) -> str:
    return site_url("payments:payment-callback", token=payment.callback_token)


def _query_interval(attempts: int) -> float:
    return min(float(settings.PAYMENT_QUERY_AFTER) * (2**attempts), MAX_QUERY_INTERVAL)


def _schedule_query(payment: Payment, delay: float) -> None:
    """Sets when the payment is next asked about and queues the query for then (outbox).

    ``next_query_at`` is the truth: the beat sweep queries anything overdue, so a lost task only
    delays a query.
    """
    payment.next_query_at = timezone.now() + timedelta(seconds=delay)
    query_enqueue(payment.pk, delay=delay)


def _settle_final(payment: Payment, status: str, result: ProviderResult | None = None) -> None:
    """Makes a locked, open payment final and tells its purpose's handler (same transaction)."""
    now = timezone.now()
    payment.status = status
    payment.settled_at = now
    payment.next_query_at = None
    if result is not None:
        _keep_result(payment, result)
    payment.save()
    handler = payment_handler(payment.purpose)
    if handler is None:
        logger.warning(
            "No payment handler for purpose %r (payment %s)", payment.purpose, payment.pk
        )
        return
    if status == PaymentStatus.SUCCEEDED:
        handler.succeeded(payment)
    else:
        handler.failed(payment)


def _keep_result(payment: Payment, result: ProviderResult) -> None:
    if result.provider_reference and not payment.provider_reference:
        payment.provider_reference = db_text(result.provider_reference)[:100]
    if result.receipt:
        payment.receipt = db_text(result.receipt)[:100]
    if result.code:
        payment.result_code = db_text(result.code)[:40]
    if result.message:
        payment.result_message = db_text(result.message)[:500]


def _amount_matches(payment: Payment, result: ProviderResult) -> bool:
    currency = str(getattr(result, "currency", "") or "")
    if currency and currency != str(payment.amount.currency):
        return False
    return result.amount is None or Decimal(result.amount) == payment.amount.amount


def payment_result_apply(payment: Payment, result: ProviderResult, *, from_query: bool) -> None:
    """Applies a provider's answer to a locked, open payment."""
    now = timezone.now()
    if from_query:
        payment.query_attempts += 1
        if payment.deadline_at and now >= payment.deadline_at:
            payment.late_queries += 1
    if result.outcome == Outcome.SUCCEEDED and not _amount_matches(payment, result):
        # Money arrived, but not the amount asked: neither paid nor failed — a person decides.
        _keep_result(payment, result)
        payment.status = PaymentStatus.UNKNOWN
        payment.result_message = f"Provider reports {result.amount}, expected {payment.amount}."
        payment.next_query_at = None
        payment.save()
        return
    if result.outcome == Outcome.SUCCEEDED:
        _settle_final(payment, PaymentStatus.SUCCEEDED, result)
        return
    if result.outcome == Outcome.FAILED:
        _settle_final(payment, PaymentStatus.FAILED, result)
        return
    _keep_result(payment, result)
    if result.outcome == Outcome.UNKNOWN or (payment.deadline_at and now >= payment.deadline_at):
        payment.status = PaymentStatus.UNKNOWN
    if _keeps_querying(payment, now):
        _schedule_query(payment, _query_interval(payment.query_attempts))
    else:
        payment.next_query_at = None
    payment.save()


def _keeps_querying(payment: Payment, now: datetime) -> bool:
    if payment.deadline_at is None or now < payment.deadline_at:
        return True
    return payment.late_queries < QUERIES_AFTER_DEADLINE


def payment_create(
    *,
    provider: str,
    amount: Money,
    payer: str,
    purpose: str,
    purpose_ref: str,
    account_reference: str = "",
    description: str = "",
    actor: Any = None,
) -> Payment:
    """A pending payment, sent to the provider once the caller's transaction commits."""
    if provider not in Provider.values:
        raise ValidationFailed.for_field("provider", "unknown_provider", f"No provider {provider}.")
    if not isinstance(amount, Money) or amount.amount <= 0:
        raise ValidationFailed.for_field("amount", "not_positive", "The amount must be positive.")
    if not purpose:
        raise ValidationFailed.for_field("purpose", "required", "A purpose is required.")
    normalised = payer_normalise(provider, payer)
    active_credentials(
        provider
    )  # refuses an unconfigured or inactive provider now, not after commit
    now = timezone.now()
    with transaction.atomic():
        payment = Payment.objects.create(
            provider=provider,
            purpose=purpose[:40],
            purpose_ref=purpose_ref[:64],
            amount=amount,
            refunded_amount=Money(0, amount.currency),
            payer=normalised,
            account_reference=account_reference[:40],
            description=description[:200],
            callback_token=new_token(),
            # Set from the start so that the beat sweep also covers a send that never ran.
            next_query_at=now + timedelta(seconds=float(settings.PAYMENT_QUERY_AFTER)),
            deadline_at=now + timedelta(seconds=float(settings.PAYMENT_UNKNOWN_AFTER)),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        payment_id = payment.pk
        # robust: the caller's work is committed by then; a crash here must not turn it into
        # an error page. The payment stays pending and the sweep takes over.
        transaction.on_commit(lambda: payment_send(payment_id=payment_id), robust=True)
    return payment


def payment_send(*, payment_id: int) -> Payment:
    """Asks the provider for the money (an STK push, a hosted card page…), once per payment."""
    now = timezone.now()
    claimed = Payment.objects.filter(
        pk=payment_id, status=PaymentStatus.PENDING, sent_at__isnull=True
    ).update(
        sent_at=now,
        deadline_at=now + timedelta(seconds=settings.PAYMENT_UNKNOWN_AFTER),
        updated_at=now,
    )
    payment = payment_row(payment_id)
    if not claimed:
        return payment  # already sent (or settled): never push twice
    try:
        creds = active_credentials(payment.provider)
        result = gateway_for(payment.provider).initiate(
            creds,
            InitiateRequest(
                reference=payment.public_id.hex,
                amount=payment.amount.amount,
                currency=str(payment.amount.currency),
                callback_url=payment_callback_url(payment),
                payer=payment.payer,
                account_reference=payment.account_reference,
                description=payment.description,
                email=payment.payer if "@" in payment.payer else "",
            ),
        )
    except ValidationFailed as error:
        result = ProviderResult(outcome=Outcome.FAILED, code=error.code, message=error.message)
    except GatewayError as error:
        if error.retryable:
            result = ProviderResult(
                outcome=Outcome.UNKNOWN, code=error.code, message=str(error)[:500]
            )
        else:
            result = ProviderResult(outcome=Outcome.FAILED, code=error.code, message=str(error))
    with transaction.atomic():
        payment = payment_locked(payment_id)
        if payment.is_final:
            return payment  # a callback beat the initiate's answer home
        if result.redirect_url:
            payment.redirect_url = result.redirect_url[:1000]
        if result.outcome == Outcome.PENDING:
            _keep_result(payment, result)
            _schedule_query(payment, float(settings.PAYMENT_QUERY_AFTER))
            payment.save()
        else:
            payment_result_apply(payment, result, from_query=False)
    return payment


def payment_query(*, payment_id: int) -> Payment:
    """Asks the provider where an open payment stands and applies the answer."""
    payment = payment_row(payment_id)
    if payment.is_final:
        return payment
    try:
        result = gateway_for(payment.provider).query(
            active_credentials(payment.provider), payment.provider_reference, payment.public_id.hex
        )
    except (GatewayError, ValidationFailed) as error:
        # No answer is not an answer: keep the payment open and ask again later.
        code = getattr(error, "code", "")
        result = ProviderResult(outcome=Outcome.PENDING, code=code, message=str(error)[:500])
    with transaction.atomic():
        payment = payment_locked(payment_id)
        if not payment.is_final:
            payment_result_apply(payment, result, from_query=True)
    return payment


def payment_query_if_due(*, payment_id: int) -> Payment | None:
    """The scheduled query: skipped when the payment is settled or was rescheduled since."""
    slack = timedelta(seconds=1)
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None or payment.is_final or payment.next_query_at is None:
        return payment
    if payment.next_query_at > timezone.now() + slack:
        return payment
    return payment_query(payment_id=payment_id)


def payments_query_overdue(*, limit: int = 200) -> int:
    """Queries open payments whose next query is overdue (covers lost or never-queued tasks)."""
    due = list(
        Payment.objects.filter(
            status__in=[PaymentStatus.PENDING, PaymentStatus.UNKNOWN],
            next_query_at__lte=timezone.now(),
        )
        .order_by("next_query_at")
        .values_list("pk", flat=True)[:limit]
    )
    for payment_id in due:
        try:
            payment_query(payment_id=payment_id)
        except Exception:
            # One broken payment must not starve the others of their queries.
            logger.exception("Status query of payment %s failed", payment_id)
    return len(due)


def payment_resolve(*, payment_id: int, outcome: str, note: str, actor: Any) -> Payment:
    """A person settles a payment whose outcome we could not learn (e.g. after checking the
    M-Pesa statement)."""
    statuses = {
        "succeeded": PaymentStatus.SUCCEEDED,
        "failed": PaymentStatus.FAILED,
        "cancelled": PaymentStatus.CANCELLED,
    }
    if outcome not in statuses:
        raise ValidationFailed.for_field(
            "outcome", "invalid_choice", "Choose succeeded, failed or cancelled."
        )
    if not note.strip():
        raise ValidationFailed.for_field("note", "required", "Say how you know.")
    with transaction.atomic():
        payment = payment_locked(payment_id)
        if payment.status != PaymentStatus.UNKNOWN:
            raise Conflict(
                f"Only a payment of unknown outcome can be resolved; this one is {payment.status}.",
                code="not_unknown",
            )
        payment.resolution_note = note.strip()[:500]
        payment.resolved_by = actor if getattr(actor, "pk", None) else None
        _settle_final(payment, statuses[outcome])
    return payment
