"""Stripe behind ``BillingGateway``, through the ``stripe`` package's ``StripeClient``.

A customer per business; a card saved through a Checkout Session in setup mode; invoices charged
off-session by a PaymentIntent created and confirmed in one call, with our reference as its
idempotency key (so a retried or rerun charge replays the first answer instead of charging
again) and in ``metadata[reference]`` (so it can be found again, and webhooks name it).
"""

from __future__ import annotations

from typing import Any

import stripe
from django.conf import settings

from billing.gateways.base import (
    ChargeResult,
    ChargeStatus,
    GatewayError,
    InvalidWebhook,
    RemoteCharge,
    SavedMethod,
    SetupSession,
    WebhookEvent,
)

# Stripe's own default, and what the issue asks for: older signatures are replays.
WEBHOOK_TOLERANCE_SECONDS = 300

# A PaymentIntent's status, as our charge status.
_STATUSES: dict[str, ChargeStatus] = {
    "succeeded": "succeeded",
    "processing": "pending",
    "requires_capture": "pending",
    "requires_confirmation": "pending",
    "requires_action": "requires_action",
    "requires_payment_method": "failed",
    "canceled": "failed",
}

# Card errors that mean "the owner must confirm this payment themselves", not "declined".
_AUTHENTICATION_CODES = {"authentication_required"}

_BRANDS = {
    "visa": "Visa",
    "mastercard": "Mastercard",
    "amex": "American Express",
    "discover": "Discover",
    "diners": "Diners Club",
    "jcb": "JCB",
    "unionpay": "UnionPay",
}


def _plain(value: Any) -> dict[str, Any]:
    """A Stripe object as plain dicts (nested objects included), or {} for anything else."""
    if isinstance(value, stripe.StripeObject):
        return value.to_dict(recursive=True)
    return value if isinstance(value, dict) else {}


def _search_literal(value: str) -> str:
    """A value quoted for Stripe's search query language."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class StripeGateway:
    name = "stripe"

    def __init__(
        self,
        *,
        secret_key: str,
        webhook_secret: str,
        api_base: str,
        timeout: float = 30.0,
    ) -> None:
        if not secret_key:
            raise GatewayError("Stripe is not configured: STRIPE_SECRET_KEY is empty.")
        self._webhook_secret = webhook_secret
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base.rstrip("/")},
            http_client=stripe.RequestsClient(timeout=timeout),
            # One quick retry of a dropped connection or a 5xx; every write carries an
            # idempotency key, so a retry can never charge twice.
            max_network_retries=1,
        )

    @classmethod
    def from_settings(cls) -> StripeGateway:
        return cls(
            secret_key=settings.STRIPE_SECRET_KEY,
            webhook_secret=settings.STRIPE_WEBHOOK_SECRET,
            api_base=settings.STRIPE_API_BASE,
            timeout=settings.BILLING_GATEWAY_TIMEOUT,
        )

    # --- customers and saved cards ---------------------------------------------------------

    def ensure_customer(self, *, email: str, name: str, business_ref: str) -> str:
        with _translated_errors():
            found = self._client.v1.customers.search(
                params={"query": f"metadata['business']:{_search_literal(business_ref)}"}
            )
            for customer in found.data:
                return str(customer.id)
            created = self._client.v1.customers.create(
                params={"email": email, "name": name, "metadata": {"business": business_ref}},
                # Search lags writes by up to a minute: the key stops two quick calls from
                # making two customers.
                options={"idempotency_key": f"duka-customer-{business_ref}"},
            )
        return str(created.id)

    def start_setup(
        self, *, customer_id: str, email: str, currency: str, reference: str, return_url: str
    ) -> SetupSession:
        with _translated_errors():
            session = self._client.v1.checkout.sessions.create(
                params={
                    "mode": "setup",
                    "customer": customer_id,
                    "currency": currency.lower(),
                    "success_url": return_url,
                    "cancel_url": return_url,
                    "client_reference_id": reference,
                    "metadata": {"reference": reference},
                },
                options={"idempotency_key": f"duka-setup-{reference}"},
            )
        if not session.url:
            raise GatewayError("Stripe made a Checkout Session without a URL.")
        return SetupSession(url=session.url, reference=session.id)

    def finish_setup(self, *, reference: str) -> SavedMethod | None:
        with _translated_errors():
            session = _plain(self._client.v1.checkout.sessions.retrieve(reference))
            setup_intent_id = session.get("setup_intent")
            if session.get("status") != "complete" or not isinstance(setup_intent_id, str):
                return None
            intent = _plain(self._client.v1.setup_intents.retrieve(setup_intent_id))
            method_id = intent.get("payment_method")
            if intent.get("status") != "succeeded" or not isinstance(method_id, str):
                return None
            method = _plain(self._client.v1.payment_methods.retrieve(method_id))
        kind = str(method.get("type") or "card")
        # Each kind keeps its details under its own name (card, sepa_debit, …).
        details = _plain(method.get(kind))
        if kind == "card":
            brand = str(details.get("brand") or "card")
            name = _BRANDS.get(brand, brand.title())
        else:
            name = kind.replace("_", " ").title()
        return SavedMethod(
            token=method_id,
            customer_id=str(session.get("customer") or intent.get("customer") or ""),
            kind=kind,
            label=f"{name} •••• {details.get('last4') or '????'}",
        )

    # --- charges ---------------------------------------------------------------------------

    def charge(
        self,
        *,
        customer_id: str,
        method_token: str,
        email: str,
        amount_minor: int,
        currency: str,
        reference: str,
        description: str,
    ) -> ChargeResult:
        # ``email`` is unused: Stripe charges the customer's method, and our own invoice e-mail
        # is the receipt (a Stripe receipt_email would send a second one).
        try:
            with _translated_errors():
                intent = self._client.v1.payment_intents.create(
                    params={
                        "amount": amount_minor,
                        "currency": currency.lower(),
                        "customer": customer_id,
                        "payment_method": method_token,
                        "off_session": True,
                        "confirm": True,
                        "description": description,
                        "metadata": {"reference": reference},
                    },
                    options={"idempotency_key": reference},
                )
        except _CardFailure as failure:
            return failure.result(amount_minor=amount_minor, currency=currency)
        return _charge_result(_plain(intent), amount_minor=amount_minor, currency=currency)

    def lookup_charge(self, *, reference: str) -> RemoteCharge | None:
        # Search lags writes by up to a minute (Stripe's documented delay), which daily
        # reconciliation can live with.
        with _translated_errors():
            found = self._client.v1.payment_intents.search(
                params={"query": f"metadata['reference']:{_search_literal(reference)}"}
            )
        intents = [_plain(intent) for intent in found.data]
        if not intents:
            return None
        # One reference makes one PaymentIntent (the idempotency key); should there be more,
        # the one that succeeded is the charge, else the latest attempt.
        intents.sort(key=lambda pi: (pi.get("status") == "succeeded", pi.get("created") or 0))
        intent = intents[-1]
        return RemoteCharge(
            reference=reference,
            status=_STATUSES.get(str(intent.get("status")), "pending"),
            amount_minor=int(intent.get("amount") or 0),
            currency=str(intent.get("currency") or "").upper(),
        )

    # --- webhooks --------------------------------------------------------------------------

    def parse_webhook(self, *, body: bytes, headers: dict[str, str]) -> WebhookEvent:
        signature = next(
            (value for key, value in headers.items() if key.lower() == "stripe-signature"), None
        )
        if not signature:
            raise InvalidWebhook("The Stripe-Signature header is missing.")
        try:
            event = self._client.construct_event(
                body, signature, self._webhook_secret, WEBHOOK_TOLERANCE_SECONDS
            )
            payload = event.to_dict(recursive=True)
        except stripe.SignatureVerificationError as exc:
            raise InvalidWebhook(f"Bad Stripe signature: {exc.user_message or exc}") from exc
        # Not UTF-8, not JSON, nested too deep, or JSON that is not an object.
        except (ValueError, TypeError, AttributeError, KeyError, RecursionError) as exc:
            raise InvalidWebhook("The Stripe webhook body is not a JSON event.") from exc
        return _event_from(payload)

    def confirm(self, event: WebhookEvent) -> WebhookEvent:
        # Stripe's signature already vouches for the event, timestamp included.
        return event


def _event_from(event: Any) -> WebhookEvent:
    if not isinstance(event, dict):
        raise InvalidWebhook("A Stripe event is a JSON object.")
    event_id, event_type, created = event.get("id"), event.get("type"), event.get("created")
    data = event.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    if (
        not isinstance(event_id, str)
        or not event_id
        or not isinstance(event_type, str)
        or not isinstance(created, int)
        or isinstance(created, bool)
        or not isinstance(obj, dict)
    ):
        raise InvalidWebhook("A Stripe event needs id, type, created and data.object.")
    common: dict[str, Any] = {
        "gateway": "stripe",
        "event_id": event_id,
        "occurred_at": float(created),
        "raw_type": event_type,
        "payload": event,
    }
    if event_type == "checkout.session.completed" and obj.get("mode") == "setup":
        return WebhookEvent(
            kind="setup_completed",
            reference=str(obj.get("id") or ""),
            gateway_reference=str(obj.get("setup_intent") or ""),
            **common,
        )
    if event_type in ("payment_intent.succeeded", "payment_intent.payment_failed"):
        metadata = _plain(obj.get("metadata"))
        error = _plain(obj.get("last_payment_error"))
        succeeded = event_type == "payment_intent.succeeded"
        amount = obj.get("amount_received") if succeeded else obj.get("amount")
        return WebhookEvent(
            kind="payment_succeeded" if succeeded else "payment_failed",
            reference=str(metadata.get("reference") or ""),
            gateway_reference=str(obj.get("id") or ""),
            amount_minor=amount if isinstance(amount, int) else 0,
            currency=str(obj.get("currency") or "").upper(),
            failure_code=""
            if succeeded
            else str(error.get("decline_code") or error.get("code") or "declined"),
            **common,
        )
    return WebhookEvent(kind="ignored", **common)


def _charge_result(intent: dict[str, Any], *, amount_minor: int, currency: str) -> ChargeResult:
    status = _STATUSES.get(str(intent.get("status")), "pending")
    error = _plain(intent.get("last_payment_error"))
    next_action = _plain(intent.get("next_action"))
    redirect = _plain(next_action.get("redirect_to_url"))
    return ChargeResult(
        status=status,
        gateway_reference=str(intent.get("id") or ""),
        amount_minor=int(intent.get("amount") or amount_minor),
        currency=str(intent.get("currency") or currency).upper(),
        failure_code=str(error.get("decline_code") or error.get("code") or "")
        if status == "failed"
        else "",
        failure_message=str(error.get("message") or "") if status == "failed" else "",
        action_url=str(redirect.get("url") or ""),
    )


class _CardFailure(Exception):
    """A 402 from Stripe: the charge was attempted and declined, or needs the owner."""

    def __init__(self, error: stripe.CardError) -> None:
        super().__init__(str(error))
        self.error = error

    def result(self, *, amount_minor: int, currency: str) -> ChargeResult:
        details = _plain(self.error.json_body).get("error")
        details = details if isinstance(details, dict) else {}
        intent = _plain(details.get("payment_intent"))
        code = str(details.get("code") or self.error.code or "card_declined")
        decline_code = str(details.get("decline_code") or "")
        needs_owner = code in _AUTHENTICATION_CODES or decline_code in _AUTHENTICATION_CODES
        return ChargeResult(
            status="requires_action" if needs_owner else "failed",
            gateway_reference=str(intent.get("id") or ""),
            amount_minor=int(intent.get("amount") or amount_minor),
            currency=str(intent.get("currency") or currency).upper(),
            failure_code=decline_code or code,
            failure_message=str(details.get("message") or ""),
            # Off-session, Stripe gives no page to confirm on: the owner confirms by coming
            # back on-session (a new setup), so there is no action URL to hand out.
            action_url="",
        )


class _translated_errors:
    """Stripe's exceptions as ours: card errors become a result (``_CardFailure``), anything
    else that stops a call (network, 5xx, bad key, bad request) a ``GatewayError``."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        if isinstance(exc, stripe.CardError):
            raise _CardFailure(exc) from exc
        if isinstance(exc, stripe.StripeError):
            status = f" (HTTP {exc.http_status})" if exc.http_status else ""
            raise GatewayError(f"Stripe: {exc.user_message or exc}{status}") from exc
