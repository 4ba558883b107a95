"""What providers post about a payment or a refund: at the payment's or refund's own URL, or
at the business's one webhook URL per provider account. Each post is verified by the adapter,
applied under the row's lock, and logged with its verdict."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from saas_platform.errors import error_body
from tenant_apps.payments.gateways.base import CallbackRejected, ProviderResult
from tenant_apps.payments.models import (
    CallbackKind,
    CallbackResult,
    Payment,
    PaymentRefund,
    Provider,
    ProviderAccount,
    RefundStatus,
)
from tenant_apps.payments.services._common import callback_log, gateway_for, payment_locked
from tenant_apps.payments.services.accounts import callback_credentials
from tenant_apps.payments.services.lifecycle import payment_result_apply
from tenant_apps.payments.services.refunds import refund_result_apply

logger = logging.getLogger(__name__)

DARAJA_ACK = {"ResultCode": 0, "ResultDesc": "Accepted"}


@dataclass(frozen=True)
class CallbackOutcome:
    """What to answer the provider: HTTP status and JSON body."""

    status: int
    body: dict[str, Any] = field(default_factory=dict)
    result: str = CallbackResult.ACCEPTED


def _ack(provider: str) -> dict[str, Any]:
    if provider == Provider.MPESA:
        return dict(DARAJA_ACK)
    return {"status": "accepted"}


def _error(status: int, code: str, message: str, result: str) -> CallbackOutcome:
    return CallbackOutcome(status=status, body=error_body(code, message), result=result)


def _parse(provider: str, body: bytes, headers: dict[str, str]) -> ProviderResult:
    """The adapter's reading of a callback; anything it chokes on is a rejection, never a 500."""
    try:
        return gateway_for(provider).parse_callback(callback_credentials(provider), body, headers)
    except CallbackRejected:
        raise
    except Exception as error:
        raise CallbackRejected(f"Unreadable callback: {type(error).__name__}") from error


def _reference_matches(payment: Payment, result: ProviderResult) -> bool:
    if not result.provider_reference:
        return False
    if not payment.provider_reference:
        # The result raced the provider's answer to our request home; the per-payment token
        # already says which payment this is.
        return True
    ours = {payment.public_id.hex, str(payment.public_id), payment.provider_reference}
    return result.provider_reference in ours


def payment_callback_handle(*, token: str, body: bytes, headers: dict[str, str]) -> CallbackOutcome:
    """A provider's result for one payment, at that payment's unguessable URL (M-Pesa STK)."""
    kind = CallbackKind.STK
    payment = Payment.objects.filter(callback_token=token).first() if token else None
    if payment is None:
        callback_log(
            kind=kind,
            body=body,
            headers=headers,
            result=CallbackResult.REJECTED,
            error="unknown token",
        )
        return _error(404, "not_found", "Not found.", CallbackResult.REJECTED)
    provider = payment.provider
    try:
        result = _parse(provider, body, headers)
        if not _reference_matches(payment, result):
            reference = result.provider_reference or "no reference"
            raise CallbackRejected(f"Callback is for {reference}, not this payment.")
    except CallbackRejected as rejected:
        callback_log(
            kind=kind,
            body=body,
            headers=headers,
            result=CallbackResult.REJECTED,
            provider=provider,
            payment=payment,
            error=str(rejected),
        )
        return _error(400, "callback_rejected", str(rejected), CallbackResult.REJECTED)
    return _settle_from_callback(payment, result, body, headers)


def provider_webhook_handle(*, token: str, body: bytes, headers: dict[str, str]) -> CallbackOutcome:
    """A signed result posted to the business's one webhook URL for a provider (Airtel, card,
    UPI configure a URL per merchant account, not per payment)."""
    kind = CallbackKind.STK
    account = ProviderAccount.objects.filter(c2b_token=token).first() if token else None
    if account is None:
        callback_log(
            kind=kind,
            body=body,
            headers=headers,
            result=CallbackResult.REJECTED,
            error="unknown token",
        )
        return _error(404, "not_found", "Not found.", CallbackResult.REJECTED)
    provider = account.provider
    try:
        result = _parse(provider, body, headers)
    except CallbackRejected as rejected:
        callback_log(
            kind=kind,
            body=body,
            headers=headers,
            result=CallbackResult.REJECTED,
            provider=provider,
            error=str(rejected),
        )
        return _error(400, "callback_rejected", str(rejected), CallbackResult.REJECTED)
    payment = _payment_by_reference(provider, result.provider_reference)
    if payment is None:
        # Genuine (it verified) but not one of ours, e.g. a payment made elsewhere on the same
        # merchant account: acknowledge, or the provider retries for a day.
        callback_log(
            kind=kind,
            body=body,
            headers=headers,
            result=CallbackResult.REJECTED,
            provider=provider,
            error="no payment with this reference",
        )
        return CallbackOutcome(200, {"status": "ignored"}, CallbackResult.REJECTED)
    return _settle_from_callback(payment, result, body, headers)


def _payment_by_reference(provider: str, reference: str) -> Payment | None:
    if not reference:
        return None
    payments = Payment.objects.filter(provider=provider)
    found = payments.filter(provider_reference=reference).first()
    if found is None and re.fullmatch(r"[0-9a-f]{32}", reference):
        found = payments.filter(public_id=reference).first()
    return found


def _settle_from_callback(
    payment: Payment, result: ProviderResult, body: bytes, headers: dict[str, str]
) -> CallbackOutcome:
    kind = CallbackKind.STK
    provider = payment.provider
    try:
        with transaction.atomic():
            payment = payment_locked(payment.pk)
            if payment.is_final:
                callback_log(
                    kind=kind,
                    body=body,
                    headers=headers,
                    result=CallbackResult.DUPLICATE,
                    provider=provider,
                    payment=payment,
                )
                return CallbackOutcome(200, _ack(provider), CallbackResult.DUPLICATE)
            payment_result_apply(payment, result, from_query=False)
            callback_log(
                kind=kind,
                body=body,
                headers=headers,
                result=CallbackResult.ACCEPTED,
                provider=provider,
                payment=payment,
            )
    except Exception as error:
        # The handler (or we) failed: the settlement rolled back, the payment stays open and
        # the scheduled query will try again. Say so, without a stack trace to the provider.
        logger.exception("Settling payment %s from a callback failed", payment.pk)
        callback_log(
            kind=kind,
            body=body,
            headers=headers,
            result=CallbackResult.REJECTED,
            provider=provider,
            payment=payment,
            error=f"settlement failed: {error!r}",
        )
        return _error(503, "unavailable", "Could not process now.", CallbackResult.REJECTED)
    return CallbackOutcome(200, _ack(provider), CallbackResult.ACCEPTED)


def refund_callback_handle(*, token: str, body: bytes, headers: dict[str, str]) -> CallbackOutcome:
    """The provider's result of an asynchronous refund (M-Pesa reversal or B2C payout)."""
    kind = CallbackKind.REFUND_RESULT
    refund = (
        PaymentRefund.objects.select_related("payment").filter(callback_token=token).first()
        if token
        else None
    )
    if refund is None:
        callback_log(
            kind=kind,
            body=body,
            headers=headers,
            result=CallbackResult.REJECTED,
            error="unknown token",
        )
        return _error(404, "not_found", "Not found.", CallbackResult.REJECTED)
    payment = refund.payment
    provider = payment.provider
    try:
        result = _parse_refund(provider, body, headers)
        if refund.provider_reference and result.provider_reference not in (
            "",
            refund.provider_reference,
        ):
            raise CallbackRejected("Callback is for another refund.")
    except CallbackRejected as rejected:
        callback_log(
            kind=kind,
            body=body,
            headers=headers,
            result=CallbackResult.REJECTED,
            provider=provider,
            payment=payment,
            refund=refund,
            error=str(rejected),
        )
        return _error(400, "callback_rejected", str(rejected), CallbackResult.REJECTED)
    with transaction.atomic():
        refund = PaymentRefund.objects.select_for_update().get(pk=refund.pk)
        verdict = (
            CallbackResult.DUPLICATE
            if refund.status != RefundStatus.PENDING
            else CallbackResult.ACCEPTED
        )
        refund_result_apply(refund, result)
        callback_log(
            kind=kind,
            body=body,
            headers=headers,
            result=verdict,
            provider=provider,
            payment=payment,
            refund=refund,
        )
    return CallbackOutcome(200, _ack(provider), verdict)


def _parse_refund(provider: str, body: bytes, headers: dict[str, str]) -> ProviderResult:
    """Asynchronous refund results have their own format (Daraja's ``Result``); adapters whose
    refunds answer at once have none, and their callbacks read like payment callbacks."""
    gateway: Any = gateway_for(provider)
    parse_result = getattr(gateway, "parse_result", None)
    if parse_result is None:
        return _parse(provider, body, headers)
    try:
        result: ProviderResult = parse_result(body)
        return result
    except CallbackRejected:
        raise
    except Exception as error:
        raise CallbackRejected(f"Unreadable callback: {type(error).__name__}") from error
