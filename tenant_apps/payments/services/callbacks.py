"""What providers post about a payment or a refund: at the payment's or refund's own URL, or
at the business's one webhook URL per provider account. Each post is verified by the adapter,
applied under the row's lock, logged with its verdict and returned as a ``CallbackOutcome``;
how to answer the provider (status, acknowledgement body) is the API layer's business."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import transaction

from tenant_apps.payments.gateways.base import CallbackRejected, ProviderResult
from tenant_apps.payments.models import (
    CallbackKind,
    CallbackResult,
    Payment,
    PaymentRefund,
    ProviderAccount,
    RefundStatus,
)
from tenant_apps.payments.services._common import (
    callback_log,
    gateway_for,
    payment_locked,
    refund_locked,
)
from tenant_apps.payments.services.accounts import callback_credentials
from tenant_apps.payments.services.lifecycle import payment_result_apply
from tenant_apps.payments.services.refunds import refund_result_apply

logger = logging.getLogger(__name__)


class Verdict(StrEnum):
    """How a provider's post ended."""

    ACCEPTED = "accepted"  # applied to its payment or refund
    DUPLICATE = "duplicate"  # about a payment or refund already final: nothing changed
    UNKNOWN_URL = "unknown_url"  # no payment, refund or account has the token in the URL
    # Not genuine or not understood: a bad signature, an unreadable body, another payment's
    # result. Nothing changed; ``reason`` says why.
    REJECTED = "rejected"
    NOT_OURS = "not_ours"  # genuine, but about no payment of this business
    # Genuine, but it could not be applied now (a handler failed): the payment stays open and
    # is queried later; the provider may send it again.
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class CallbackOutcome:
    verdict: Verdict
    provider: str = ""  # whose post it was, when the token told us
    reason: str = ""  # why a post was rejected, in words the provider's logs can show


# How each verdict is kept in the callback log.
_LOGGED_AS = {
    Verdict.ACCEPTED: CallbackResult.ACCEPTED,
    Verdict.DUPLICATE: CallbackResult.DUPLICATE,
}


@dataclass(frozen=True)
class _Post:
    """One post as received, logged once with the verdict it ends in."""

    kind: str
    body: bytes
    headers: dict[str, str]

    def ends(
        self,
        verdict: Verdict,
        *,
        provider: str = "",
        payment: Payment | None = None,
        refund: PaymentRefund | None = None,
        reason: str = "",
        error: str = "",
    ) -> CallbackOutcome:
        callback_log(
            kind=self.kind,
            body=self.body,
            headers=self.headers,
            result=_LOGGED_AS.get(verdict, CallbackResult.REJECTED),
            provider=provider,
            payment=payment,
            refund=refund,
            error=error or reason,
        )
        return CallbackOutcome(verdict=verdict, provider=provider, reason=reason)


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
    post = _Post(CallbackKind.STK, body, headers)
    payment = Payment.objects.filter(callback_token=token).first() if token else None
    if payment is None:
        return post.ends(Verdict.UNKNOWN_URL, error="unknown token")
    provider = payment.provider
    try:
        result = _parse(provider, body, headers)
        if not _reference_matches(payment, result):
            reference = result.provider_reference or "no reference"
            raise CallbackRejected(f"Callback is for {reference}, not this payment.")
    except CallbackRejected as rejected:
        return post.ends(Verdict.REJECTED, provider=provider, payment=payment, reason=str(rejected))
    return _settle(post, payment, result)


def provider_webhook_handle(*, token: str, body: bytes, headers: dict[str, str]) -> CallbackOutcome:
    """A signed result posted to the business's one webhook URL for a provider (Airtel, card,
    UPI configure a URL per merchant account, not per payment)."""
    post = _Post(CallbackKind.STK, body, headers)
    account = ProviderAccount.objects.filter(c2b_token=token).first() if token else None
    if account is None:
        return post.ends(Verdict.UNKNOWN_URL, error="unknown token")
    provider = account.provider
    try:
        result = _parse(provider, body, headers)
    except CallbackRejected as rejected:
        return post.ends(Verdict.REJECTED, provider=provider, reason=str(rejected))
    payment = _payment_by_reference(provider, result.provider_reference)
    if payment is None:
        # Genuine (it verified) but not one of ours, e.g. a payment made elsewhere on the same
        # merchant account.
        return post.ends(
            Verdict.NOT_OURS, provider=provider, error="no payment with this reference"
        )
    return _settle(post, payment, result)


def _payment_by_reference(provider: str, reference: str) -> Payment | None:
    if not reference:
        return None
    payments = Payment.objects.filter(provider=provider)
    found = payments.filter(provider_reference=reference).first()
    if found is None and re.fullmatch(r"[0-9a-f]{32}", reference):
        found = payments.filter(public_id=reference).first()
    return found


def _settle(post: _Post, payment: Payment, result: ProviderResult) -> CallbackOutcome:
    provider = payment.provider
    try:
        with transaction.atomic():
            payment = payment_locked(payment.pk)
            if payment.is_final:
                return post.ends(Verdict.DUPLICATE, provider=provider, payment=payment)
            payment_result_apply(payment, result, from_query=False)
            # Logged inside the settling transaction: no "accepted" row for a rolled-back one.
            return post.ends(Verdict.ACCEPTED, provider=provider, payment=payment)
    except Exception as error:
        # The handler (or we) failed: the settlement rolled back, the payment stays open and
        # the scheduled query will try again.
        logger.exception("Settling payment %s from a callback failed", payment.pk)
        return post.ends(
            Verdict.UNAVAILABLE,
            provider=provider,
            payment=payment,
            error=f"settlement failed: {error!r}",
        )


def refund_callback_handle(*, token: str, body: bytes, headers: dict[str, str]) -> CallbackOutcome:
    """The provider's result of an asynchronous refund (M-Pesa reversal or B2C payout)."""
    post = _Post(CallbackKind.REFUND_RESULT, body, headers)
    refund = (
        PaymentRefund.objects.select_related("payment").filter(callback_token=token).first()
        if token
        else None
    )
    if refund is None:
        return post.ends(Verdict.UNKNOWN_URL, error="unknown token")
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
        return post.ends(
            Verdict.REJECTED,
            provider=provider,
            payment=payment,
            refund=refund,
            reason=str(rejected),
        )
    with transaction.atomic():
        refund = refund_locked(refund.pk)
        verdict = Verdict.DUPLICATE if refund.status != RefundStatus.PENDING else Verdict.ACCEPTED
        refund_result_apply(refund, result)
        return post.ends(verdict, provider=provider, payment=payment, refund=refund)


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
