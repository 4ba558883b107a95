"""Giving back part or all of a succeeded payment: reserved first, then asked of the provider
(M-Pesa: a reversal of the whole payment, a B2C payout for less), settled by its answer."""

from __future__ import annotations

from typing import Any, cast

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from moneyed import Money

from saas_platform.errors import Conflict, ValidationFailed
from tenant_apps.payments.gateways.base import (
    Credentials,
    GatewayError,
    Outcome,
    PayoutGateway,
    ProviderResult,
)
from tenant_apps.payments.models import (
    Payment,
    PaymentRefund,
    PaymentStatus,
    Provider,
    RefundMethod,
    RefundStatus,
)
from tenant_apps.payments.services._common import (
    db_text,
    gateway_for,
    new_token,
    payment_row,
    refund_locked,
    site_url,
)
from tenant_apps.payments.services.accounts import active_credentials


def refund_callback_url(refund: PaymentRefund) -> str:
    return site_url("payments:refund-callback", token=refund.callback_token)


def payment_refund(*, payment_id: int, amount: Money, reference: str, actor: Any) -> PaymentRefund:
    """Gives back part or all of a succeeded payment, never more than paid minus refunded.

    Idempotent on ``reference``. The amount is reserved (a conditional update of
    ``refunded_amount``) before the provider is asked, and given back if it refuses. M-Pesa
    gives back a whole untouched payment with a reversal and anything less with a B2C payment
    to the payer's phone (a reversal cannot return part of a transaction).
    """
    if not reference:
        raise ValidationFailed.for_field("reference", "required", "A reference is required.")
    payment = payment_row(payment_id)
    if not isinstance(amount, Money) or amount.amount <= 0:
        raise ValidationFailed.for_field("amount", "not_positive", "The amount must be positive.")
    if amount.currency != payment.amount.currency:
        raise ValidationFailed.for_field(
            "amount", "wrong_currency", f"The payment is in {payment.amount.currency}."
        )
    existing = PaymentRefund.objects.filter(payment_id=payment_id, reference=reference).first()
    if existing is not None:
        return _same_refund(existing, amount)
    try:
        with transaction.atomic():
            refund = PaymentRefund.objects.create(
                payment_id=payment_id,
                amount=amount,
                reference=reference[:64],
                callback_token=new_token(),
                created_by=actor if getattr(actor, "pk", None) else None,
            )
            reserved = Payment.objects.filter(
                pk=payment_id,
                status=PaymentStatus.SUCCEEDED,
                refunded_amount__lte=F("amount") - amount.amount,
            ).update(
                refunded_amount=F("refunded_amount") + amount.amount, updated_at=timezone.now()
            )
            if not reserved:
                payment = payment_row(payment_id)
                if payment.status != PaymentStatus.SUCCEEDED:
                    raise Conflict("Only a succeeded payment can be refunded.", code="not_paid")
                left = payment.amount - payment.refunded_amount
                raise ValidationFailed.for_field(
                    "amount", "exceeds_refundable", f"At most {left} can still be refunded."
                )
            method = _refund_method(payment, amount)
            if method != RefundMethod.REFUND:
                PaymentRefund.objects.filter(pk=refund.pk).update(method=method)
            refund_id = refund.pk
            transaction.on_commit(lambda: refund_send(refund_id=refund_id), robust=True)
    except IntegrityError:
        # The same reference, at the same moment, from another request: that one won.
        existing = PaymentRefund.objects.filter(payment_id=payment_id, reference=reference).first()
        if existing is None:
            raise
        return _same_refund(existing, amount)
    refund.refresh_from_db()
    return refund


def _refund_method(payment: Payment, amount: Money) -> str:
    """How a refund whose amount was just reserved goes out. Called inside the reserving
    transaction: its UPDATE holds the payment's row lock, so what it reads here cannot change
    before commit and two refunds cannot both count as the whole payment."""
    if payment.provider != Provider.MPESA:
        return RefundMethod.REFUND
    refunded_now = (
        Payment.objects.filter(pk=payment.pk).values_list("refunded_amount", flat=True).get()
    )
    if amount.amount == payment.amount.amount == refunded_now:
        return RefundMethod.REVERSAL
    # Part of the payment: refuse now (rolling back the reservation) rather than fail after
    # the caller's return is committed, if no B2C payout can be made.
    if not active_credentials(Provider.MPESA).values.get("b2c_shortcode"):
        raise ValidationFailed.for_field(
            "amount",
            "partial_refund_unavailable",
            "M-Pesa can only give back this whole payment: no B2C shortcode is set up for "
            "partial refunds. Refund the rest another way (e.g. cash).",
        )
    if not payment.payer:
        raise ValidationFailed.for_field(
            "amount", "partial_refund_unavailable", "The payment has no phone number to pay."
        )
    return RefundMethod.B2C


def _same_refund(existing: PaymentRefund, amount: Money) -> PaymentRefund:
    if existing.amount != amount:
        raise Conflict(
            f"Refund {existing.reference} was already asked for {existing.amount}.",
            code="refund_reference_reused",
        )
    return existing


def refund_send(*, refund_id: int) -> PaymentRefund:
    refund = PaymentRefund.objects.select_related("payment").get(pk=refund_id)
    payment = refund.payment
    if refund.status != RefundStatus.PENDING or refund.provider_reference:
        return refund
    try:
        creds = active_credentials(payment.provider)
        result_url = refund_callback_url(refund)
        gateway = gateway_for(payment.provider)
        if refund.method == RefundMethod.B2C:
            if not hasattr(gateway, "payout"):
                raise GatewayError(f"{payment.provider} cannot pay out.", code="no_payout")
            result = cast(PayoutGateway, gateway).payout(
                creds,
                phone=payment.payer,
                amount=refund.amount.amount,
                reference=refund.reference,
                result_url=result_url,
                timeout_url=creds.values.get("timeout_url", ""),
            )
        else:
            # Asynchronous providers post the result here (M-Pesa reversal's ResultURL).
            creds = Credentials(
                base_url=creds.base_url, values={**creds.values, "result_url": result_url}
            )
            result = gateway.refund(
                creds,
                receipt=payment.receipt,
                amount=refund.amount.amount,
                reference=refund.reference,
            )
    except (GatewayError, ValidationFailed) as error:
        retryable = isinstance(error, GatewayError) and error.retryable
        outcome = Outcome.UNKNOWN if retryable else Outcome.FAILED
        result = ProviderResult(
            outcome=outcome, code=getattr(error, "code", ""), message=str(error)
        )
    with transaction.atomic():
        refund = refund_locked(refund_id)
        refund_result_apply(refund, result)
    return refund


def refund_result_apply(refund: PaymentRefund, result: ProviderResult) -> None:
    """Applies an answer to a locked refund; a refused refund gives its reserved amount back."""
    if refund.status != RefundStatus.PENDING:
        return
    if result.provider_reference and not refund.provider_reference:
        refund.provider_reference = db_text(result.provider_reference)[:100]
    if result.receipt and result.outcome == Outcome.SUCCEEDED:
        refund.receipt = db_text(result.receipt)[:100]
    refund.result_code = db_text(result.code)[:40] or refund.result_code
    refund.result_message = db_text(result.message)[:500] or refund.result_message
    if result.outcome == Outcome.SUCCEEDED:
        refund.status = RefundStatus.SUCCEEDED
        refund.settled_at = timezone.now()
    elif result.outcome == Outcome.FAILED:
        refund.status = RefundStatus.FAILED
        refund.settled_at = timezone.now()
        Payment.objects.filter(pk=refund.payment_id).update(
            refunded_amount=F("refunded_amount") - refund.amount.amount, updated_at=timezone.now()
        )
    refund.save()
