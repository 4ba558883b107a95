"""Writes of the payments app: create, send, query, settle, resolve, refund, C2B.

Calls to a provider never happen inside a database transaction (a slow provider must not hold
row locks); settlement always happens under a lock on the payment's row and does nothing to a
payment that is already final, so callbacks, queries and people can race safely.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from moneyed import Money

from saas_platform.errors import Conflict, NotFound, ValidationFailed, error_body
from saas_platform.phones import (
    business_region,
    phone_example,
    phone_is_mobile,
    phone_normalise,
    phone_region,
)
from saas_platform.tenancy import business_currency, current_business
from tenant_apps.payments.gateways.base import (
    CallbackRejected,
    Credentials,
    Gateway,
    GatewayError,
    InitiateRequest,
    Outcome,
    PayoutGateway,
    ProviderResult,
)
from tenant_apps.payments.gateways.destinations import base_url_check
from tenant_apps.payments.handlers import c2b_matchers, payment_handler
from tenant_apps.payments.models import (
    ACCOUNT_PROVIDERS,
    C2BPayment,
    C2BStatus,
    CallbackKind,
    CallbackResult,
    Payment,
    PaymentCallback,
    PaymentRefund,
    PaymentStatus,
    Provider,
    ProviderAccount,
    RefundMethod,
    RefundStatus,
)

logger = logging.getLogger(__name__)

# After the deadline a still-open payment is queried this many more times, then left to a person.
QUERIES_AFTER_DEADLINE = 3
MAX_QUERY_INTERVAL = 300.0
# Raw callback bodies are evidence, but nobody needs more than this of one.
MAX_LOGGED_BODY = 64 * 1024

DARAJA_ACK = {"ResultCode": 0, "ResultDesc": "Accepted"}
C2B_VALIDATION_ACK = {"ResultCode": "0", "ResultDesc": "Accepted"}
C2B_CONFIRMATION_ACK = {"ResultCode": 0, "ResultDesc": "Success"}


@dataclass(frozen=True)
class CallbackOutcome:
    """What to answer the provider: HTTP status and JSON body."""

    status: int
    body: dict[str, Any] = field(default_factory=dict)
    result: str = CallbackResult.ACCEPTED


# --- helpers ------------------------------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(32)


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


def gateway_for(provider: str) -> Gateway:
    from tenant_apps.payments.gateways.registry import get_gateway

    return get_gateway(provider)


def credentials_of(account: ProviderAccount) -> Credentials:
    values = {str(k): str(v) for k, v in (account.credentials or {}).items()}
    return Credentials(base_url=account.base_url, values=values)


def _account(provider: str) -> ProviderAccount | None:
    return ProviderAccount.objects.filter(provider=provider, is_active=True).first()


def _credentials(provider: str) -> Credentials:
    if provider not in ACCOUNT_PROVIDERS:
        return Credentials(base_url="")
    account = _account(provider)
    if account is None:
        raise ValidationFailed(
            f"No active {provider} account is set up for this business.",
            code="provider_not_configured",
        )
    return credentials_of(account)


def _callback_credentials(provider: str) -> Credentials:
    # An answer to a request we made is still read after the account is switched off.
    account = ProviderAccount.objects.filter(provider=provider).first()
    if account is None:
        return _credentials(provider)
    return credentials_of(account)


def _site_url(path: str) -> str:
    from shared_apps.tenants.links import tenant_base_url

    return tenant_base_url(current_business()) + path


def payment_callback_url(payment: Payment) -> str:
    return _site_url(f"/api/v1/payments/callbacks/{payment.callback_token}/")


def refund_callback_url(refund: PaymentRefund) -> str:
    return _site_url(f"/api/v1/payments/refund-callbacks/{refund.callback_token}/")


def account_urls(account: ProviderAccount) -> dict[str, str]:
    """The URLs to give the provider: C2B for M-Pesa, the result webhook for the others."""
    if account.provider == Provider.MPESA:
        base = f"/api/v1/payments/c2b/{account.c2b_token}"
        return {
            "c2b_validation_url": _site_url(f"{base}/validation/"),
            "c2b_confirmation_url": _site_url(f"{base}/confirmation/"),
        }
    return {"webhook_url": _site_url(f"/api/v1/payments/webhooks/{account.c2b_token}/")}


def _query_interval(attempts: int) -> float:
    return min(float(settings.PAYMENT_QUERY_AFTER) * (2**attempts), MAX_QUERY_INTERVAL)


def _schedule_query(payment: Payment, delay: float) -> None:
    """Sets when the payment is next asked about and queues the query for then (after commit).

    ``next_query_at`` is the truth: the beat sweep queries anything overdue, so a lost task only
    delays a query.
    """
    payment.next_query_at = timezone.now() + timedelta(seconds=delay)
    payment_id = payment.pk

    def queue() -> None:
        from tenant_apps.payments.tasks import query_queue, query_task

        query_task.apply_async(args=[payment_id], countdown=delay, queue=query_queue())

    transaction.on_commit(queue)


def _lock(payment_id: int) -> Payment:
    payment = Payment.objects.select_for_update(of=("self",)).filter(pk=payment_id).first()
    if payment is None:
        raise NotFound("No such payment.")
    return payment


def _payment(payment_id: int) -> Payment:
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None:
        raise NotFound("No such payment.")
    return payment


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
        payment.provider_reference = _text(result.provider_reference)[:100]
    if result.receipt:
        payment.receipt = _text(result.receipt)[:100]
    if result.code:
        payment.result_code = _text(result.code)[:40]
    if result.message:
        payment.result_message = _text(result.message)[:500]


def _amount_matches(payment: Payment, result: ProviderResult) -> bool:
    currency = str(getattr(result, "currency", "") or "")
    if currency and currency != str(payment.amount.currency):
        return False
    return result.amount is None or Decimal(result.amount) == payment.amount.amount


def _apply(payment: Payment, result: ProviderResult, *, from_query: bool) -> None:
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


# --- payments -----------------------------------------------------------------------------------


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
    _credentials(provider)  # refuses an unconfigured or inactive provider now, not after commit
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
    ).update(sent_at=now, deadline_at=now + timedelta(seconds=settings.PAYMENT_UNKNOWN_AFTER))
    payment = _payment(payment_id)
    if not claimed:
        return payment  # already sent (or settled): never push twice
    try:
        creds = _credentials(payment.provider)
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
        payment = _lock(payment_id)
        if payment.is_final:
            return payment  # a callback beat the initiate's answer home
        if result.redirect_url:
            payment.redirect_url = result.redirect_url[:1000]
        if result.outcome == Outcome.PENDING:
            _keep_result(payment, result)
            _schedule_query(payment, float(settings.PAYMENT_QUERY_AFTER))
            payment.save()
        else:
            _apply(payment, result, from_query=False)
    return payment


def payment_query(*, payment_id: int) -> Payment:
    """Asks the provider where an open payment stands and applies the answer."""
    payment = _payment(payment_id)
    if payment.is_final:
        return payment
    try:
        result = gateway_for(payment.provider).query(
            _credentials(payment.provider), payment.provider_reference, payment.public_id.hex
        )
    except (GatewayError, ValidationFailed) as error:
        # No answer is not an answer: keep the payment open and ask again later.
        code = getattr(error, "code", "")
        result = ProviderResult(outcome=Outcome.PENDING, code=code, message=str(error)[:500])
    with transaction.atomic():
        payment = _lock(payment_id)
        if not payment.is_final:
            _apply(payment, result, from_query=True)
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
        payment = _lock(payment_id)
        if payment.status != PaymentStatus.UNKNOWN:
            raise Conflict(
                f"Only a payment of unknown outcome can be resolved; this one is {payment.status}.",
                code="not_unknown",
            )
        payment.resolution_note = note.strip()[:500]
        payment.resolved_by = actor if getattr(actor, "pk", None) else None
        _settle_final(payment, statuses[outcome])
    return payment


# --- callbacks ----------------------------------------------------------------------------------


def _ack(provider: str) -> dict[str, Any]:
    if provider == Provider.MPESA:
        return dict(DARAJA_ACK)
    return {"status": "accepted"}


def _error(status: int, code: str, message: str, result: str) -> CallbackOutcome:
    return CallbackOutcome(status=status, body=error_body(code, message), result=result)


def _log(
    *,
    kind: str,
    body: bytes,
    headers: dict[str, str],
    result: str,
    provider: str = "",
    payment: Payment | None = None,
    refund: PaymentRefund | None = None,
    error: str = "",
) -> None:
    PaymentCallback.objects.create(
        payment=payment,
        refund=refund,
        provider=provider,
        kind=kind,
        headers={_text(k): _text(v)[:1000] for k, v in headers.items()},
        body=_text(body[:MAX_LOGGED_BODY].decode("utf-8", errors="replace")),
        result=result,
        error=_text(error[:2000]),
    )


def _text(value: object) -> str:
    # PostgreSQL text cannot hold NUL; a junk body must still be logged, not crash the log.
    return str(value).replace("\x00", "\ufffd")


def _parse(provider: str, body: bytes, headers: dict[str, str]) -> ProviderResult:
    """The adapter's reading of a callback; anything it chokes on is a rejection, never a 500."""
    try:
        return gateway_for(provider).parse_callback(_callback_credentials(provider), body, headers)
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
        _log(kind=kind, body=body, headers=headers, result=CallbackResult.REJECTED,
             error="unknown token")  # fmt: skip
        return _error(404, "not_found", "Not found.", CallbackResult.REJECTED)
    provider = payment.provider
    try:
        result = _parse(provider, body, headers)
        if not _reference_matches(payment, result):
            reference = result.provider_reference or "no reference"
            raise CallbackRejected(f"Callback is for {reference}, not this payment.")
    except CallbackRejected as rejected:
        _log(kind=kind, body=body, headers=headers, result=CallbackResult.REJECTED,
             provider=provider, payment=payment, error=str(rejected))  # fmt: skip
        return _error(400, "callback_rejected", str(rejected), CallbackResult.REJECTED)
    return _settle_from_callback(payment, result, body, headers)


def provider_webhook_handle(*, token: str, body: bytes, headers: dict[str, str]) -> CallbackOutcome:
    """A signed result posted to the business's one webhook URL for a provider (Airtel, card,
    UPI configure a URL per merchant account, not per payment)."""
    kind = CallbackKind.STK
    account = ProviderAccount.objects.filter(c2b_token=token).first() if token else None
    if account is None:
        _log(kind=kind, body=body, headers=headers, result=CallbackResult.REJECTED,
             error="unknown token")  # fmt: skip
        return _error(404, "not_found", "Not found.", CallbackResult.REJECTED)
    provider = account.provider
    try:
        result = _parse(provider, body, headers)
    except CallbackRejected as rejected:
        _log(kind=kind, body=body, headers=headers, result=CallbackResult.REJECTED,
             provider=provider, error=str(rejected))  # fmt: skip
        return _error(400, "callback_rejected", str(rejected), CallbackResult.REJECTED)
    payment = _payment_by_reference(provider, result.provider_reference)
    if payment is None:
        # Genuine (it verified) but not one of ours, e.g. a payment made elsewhere on the same
        # merchant account: acknowledge, or the provider retries for a day.
        _log(kind=kind, body=body, headers=headers, result=CallbackResult.REJECTED,
             provider=provider, error="no payment with this reference")  # fmt: skip
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
            payment = _lock(payment.pk)
            if payment.is_final:
                _log(kind=kind, body=body, headers=headers, result=CallbackResult.DUPLICATE,
                     provider=provider, payment=payment)  # fmt: skip
                return CallbackOutcome(200, _ack(provider), CallbackResult.DUPLICATE)
            _apply(payment, result, from_query=False)
            _log(kind=kind, body=body, headers=headers, result=CallbackResult.ACCEPTED,
                 provider=provider, payment=payment)  # fmt: skip
    except Exception as error:
        # The handler (or we) failed: the settlement rolled back, the payment stays open and
        # the scheduled query will try again. Say so, without a stack trace to the provider.
        logger.exception("Settling payment %s from a callback failed", payment.pk)
        _log(kind=kind, body=body, headers=headers, result=CallbackResult.REJECTED,
             provider=provider, payment=payment,
             error=f"settlement failed: {error!r}")  # fmt: skip
        return _error(503, "unavailable", "Could not process now.", CallbackResult.REJECTED)
    return CallbackOutcome(200, _ack(provider), CallbackResult.ACCEPTED)


# --- refunds ------------------------------------------------------------------------------------


def payment_refund(*, payment_id: int, amount: Money, reference: str, actor: Any) -> PaymentRefund:
    """Gives back part or all of a succeeded payment, never more than paid minus refunded.

    Idempotent on ``reference``. The amount is reserved (a conditional update of
    ``refunded_amount``) before the provider is asked, and given back if it refuses. M-Pesa
    gives back a whole untouched payment with a reversal and anything less with a B2C payment
    to the payer's phone (a reversal cannot return part of a transaction).
    """
    if not reference:
        raise ValidationFailed.for_field("reference", "required", "A reference is required.")
    payment = _payment(payment_id)
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
            ).update(refunded_amount=F("refunded_amount") + amount.amount)
            if not reserved:
                payment = _payment(payment_id)
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
    if not _credentials(Provider.MPESA).values.get("b2c_shortcode"):
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
        creds = _credentials(payment.provider)
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
        refund = PaymentRefund.objects.select_for_update().get(pk=refund_id)
        _refund_apply(refund, result)
    return refund


def _refund_apply(refund: PaymentRefund, result: ProviderResult) -> None:
    """Applies an answer to a locked refund; a refused refund gives its reserved amount back."""
    if refund.status != RefundStatus.PENDING:
        return
    if result.provider_reference and not refund.provider_reference:
        refund.provider_reference = _text(result.provider_reference)[:100]
    if result.receipt and result.outcome == Outcome.SUCCEEDED:
        refund.receipt = _text(result.receipt)[:100]
    refund.result_code = _text(result.code)[:40] or refund.result_code
    refund.result_message = _text(result.message)[:500] or refund.result_message
    if result.outcome == Outcome.SUCCEEDED:
        refund.status = RefundStatus.SUCCEEDED
        refund.settled_at = timezone.now()
    elif result.outcome == Outcome.FAILED:
        refund.status = RefundStatus.FAILED
        refund.settled_at = timezone.now()
        Payment.objects.filter(pk=refund.payment_id).update(
            refunded_amount=F("refunded_amount") - refund.amount.amount
        )
    refund.save()


def refund_callback_handle(*, token: str, body: bytes, headers: dict[str, str]) -> CallbackOutcome:
    """The provider's result of an asynchronous refund (M-Pesa reversal or B2C payout)."""
    kind = CallbackKind.REFUND_RESULT
    refund = (
        PaymentRefund.objects.select_related("payment").filter(callback_token=token).first()
        if token
        else None
    )
    if refund is None:
        _log(kind=kind, body=body, headers=headers, result=CallbackResult.REJECTED,
             error="unknown token")  # fmt: skip
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
        _log(kind=kind, body=body, headers=headers, result=CallbackResult.REJECTED,
             provider=provider, payment=payment, refund=refund, error=str(rejected))  # fmt: skip
        return _error(400, "callback_rejected", str(rejected), CallbackResult.REJECTED)
    with transaction.atomic():
        refund = PaymentRefund.objects.select_for_update().get(pk=refund.pk)
        verdict = (
            CallbackResult.DUPLICATE
            if refund.status != RefundStatus.PENDING
            else CallbackResult.ACCEPTED
        )
        _refund_apply(refund, result)
        _log(kind=kind, body=body, headers=headers, result=verdict, provider=provider,
             payment=payment, refund=refund)  # fmt: skip
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


# --- C2B ----------------------------------------------------------------------------------------


def _c2b_account(token: str) -> ProviderAccount:
    account = (
        ProviderAccount.objects.filter(c2b_token=token, provider=Provider.MPESA).first()
        if token
        else None
    )
    if account is None:
        raise NotFound("Not found.")
    return account


def c2b_validation_handle(*, token: str, body: bytes) -> dict[str, str]:
    """Daraja asks whether to accept a paybill payment; we take them all (matching comes later)."""
    _c2b_account(token)
    return dict(C2B_VALIDATION_ACK)


def _c2b_notice(body: bytes) -> Any:
    if b"\x00" in body or b"\\u0000" in body:
        # PostgreSQL text and jsonb cannot hold NUL: no genuine notice has one.
        raise ValidationFailed("The body holds a NUL character.", code="invalid_body")
    gateway: Any = gateway_for(Provider.MPESA)
    try:
        notice = gateway.parse_c2b(body)
    except CallbackRejected as error:
        raise ValidationFailed(str(error), code="invalid_body") from error
    except Exception as error:
        raise ValidationFailed("The body is not a C2B notice.", code="invalid_body") from error
    amount = Decimal(notice.amount)
    if len(notice.trans_id) > 40 or not amount.is_finite() or not 0 < amount < Decimal("1e13"):
        raise ValidationFailed("TransID or TransAmount is not valid.", code="invalid_body")
    return notice


def c2b_confirmation_handle(*, token: str, body: bytes) -> C2BPayment:
    """Stores a paybill / till payment once per TransID and offers it to the matchers."""
    account = _c2b_account(token)
    try:
        notice = _c2b_notice(body)
    except ValidationFailed as error:
        _log(kind=CallbackKind.C2B, body=body, headers={}, result=CallbackResult.REJECTED,
             provider=account.provider, error=error.message)  # fmt: skip
        raise
    existing = C2BPayment.objects.filter(trans_id=notice.trans_id).first()
    if existing is not None:
        _log(kind=CallbackKind.C2B, body=body, headers={}, result=CallbackResult.DUPLICATE,
             provider=account.provider)  # fmt: skip
        return existing
    name = " ".join(f"{notice.first_name} {notice.middle_name} {notice.last_name}".split())
    try:
        with transaction.atomic():
            c2b = C2BPayment.objects.create(
                trans_id=notice.trans_id,
                amount=Money(notice.amount, business_currency()),
                bill_ref=notice.bill_ref[:100],
                msisdn=notice.msisdn[:100],
                payer_name=name[:200],
                trans_time=notice.trans_time[:20],
                raw=notice.raw,
                status=C2BStatus.UNMATCHED,
            )
            _c2b_match(c2b)
            _log(kind=CallbackKind.C2B, body=body, headers={}, result=CallbackResult.ACCEPTED,
                 provider=account.provider)  # fmt: skip
    except IntegrityError:
        # Safaricom sent the same confirmation twice at once; the other one stored it.
        existing = C2BPayment.objects.filter(trans_id=notice.trans_id).first()
        if existing is None:
            raise
        return existing
    return c2b


def _c2b_match(c2b: C2BPayment) -> None:
    for name, matcher in c2b_matchers():
        try:
            with transaction.atomic():
                consumed = matcher(c2b)
        except Exception:
            # The money is ours either way: a broken matcher leaves it for a person to allocate.
            logger.exception("C2B matcher %s failed on %s", name, c2b.trans_id)
            continue
        if consumed:
            c2b.status = C2BStatus.MATCHED
            c2b.matched_by = name[:60]
            c2b.save(update_fields=["status", "matched_by"])
            return


# --- provider accounts --------------------------------------------------------------------------


def provider_account_set(
    *,
    provider: str,
    base_url: str,
    credentials: dict[str, str] | None,
    is_active: bool,
    actor: Any = None,
) -> ProviderAccount:
    """Creates or updates a provider account. Credentials given replace the stored ones key by
    key; a key given an empty value is removed; keys not given are kept (the API never shows
    secrets, so a form cannot send them back)."""
    if provider not in ACCOUNT_PROVIDERS:
        raise NotFound(f"No provider {provider}.")
    # The server will call this URL with the account's credentials: only the provider's own
    # API hosts (or the platform owner's list) may be named, never an address of the business's
    # choosing. Each request is checked again on its way out (gateways/destinations.py).
    code, message = base_url_check(provider, base_url)
    if code:
        raise ValidationFailed.for_field("base_url", code, message)
    with transaction.atomic():
        account = ProviderAccount.objects.select_for_update().filter(provider=provider).first()
        if account is None:
            account = ProviderAccount(provider=provider, c2b_token=new_token())
        merged = dict(account.credentials or {})
        for key, value in (credentials or {}).items():
            if value == "":
                merged.pop(key, None)
            else:
                merged[key] = value
        account.base_url = base_url
        account.credentials = merged
        account.is_active = is_active
        account.save()
    return account
