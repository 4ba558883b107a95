"""Paystack behind ``BillingGateway``, through ``pypaystack2``'s Transactions, Customers and
Refunds clients.

Paystack saves a payment method only by taking a first payment: setup initializes a small
verification charge (card or mobile money) on Paystack's page, reads the reusable authorization
it left, and refunds it. Invoices are then charged with Charge Authorization under our
reference, which Paystack refuses to reuse — a charge retried after a lost answer finds the first
one with Verify Transaction. Webhooks carry no timestamp and no event id: they are checked by
their HMAC and confirmed with Verify before anything acts on them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import ssl
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from functools import cache
from http import HTTPMethod
from typing import Any
from urllib.parse import quote

import httpx
from django.conf import settings
from pydantic import BaseModel, ConfigDict
from pypaystack2.base_clients import BaseAPIClient
from pypaystack2.enums import Channel, Currency
from pypaystack2.exceptions import ClientNetworkError
from pypaystack2.models import Response
from pypaystack2.sub_clients import CustomerClient, RefundClient, TransactionClient

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

# Our setup transactions' references start with this, so that a ``charge.success`` webhook
# tells a saved method from a paid invoice.
SETUP_REFERENCE_PREFIX = "setup-"

# What the owner pays to save a method, refunded at once: the smallest amount each currency's
# channels reliably accept, in subunits.
VERIFICATION_AMOUNTS: dict[str, int] = {
    "NGN": 5000,  # NGN 50.00
    "GHS": 100,  # GHS 1.00
    "ZAR": 100,  # ZAR 1.00
    "KES": 1000,  # KES 10.00
    "USD": 100,  # USD 1.00
}

SIGNATURE_HEADER = "x-paystack-signature"

# A transaction's status at Paystack, as our charge status. "reversed" is a charge that went
# through and was refunded afterwards: refunds are ours to record, the charge succeeded.
_STATUSES: dict[str, ChargeStatus] = {
    "success": "succeeded",
    "reversed": "succeeded",
    "failed": "failed",
    "abandoned": "failed",
}

_BRANDS = {
    "visa": "Visa",
    "mastercard": "Mastercard",
    "verve": "Verve",
    "amex": "American Express",
    "mpesa": "M-Pesa",
    "mtn": "MTN MoMo",
    "atl": "AirtelTigo Money",
    "airtel": "Airtel Money",
    "vod": "Telecel Cash",
}

_REFERENCE = re.compile(r"[A-Za-z0-9.=-]+")


def _usable_reference(reference: str) -> None:
    """Refuses, before any call, a reference Paystack would refuse."""
    if not _REFERENCE.fullmatch(reference):
        raise GatewayError("A Paystack reference allows only letters, digits, '-', '.', '='.")


class _AnyData(BaseModel):
    """Accepts whatever ``data`` Paystack sends: we read ``Response.raw``, and pypaystack2's
    stricter models only log warnings when Paystack adds or omits a field."""

    model_config = ConfigDict(extra="allow")


@cache
def _tls() -> ssl.SSLContext:
    """One TLS context per process. pypaystack2 calls ``httpx.post`` and friends, which build a
    client, and so load the CA bundle (tens of ms), on every call; a context passed in is
    used as it is (bench/billing.py: a third of a KES business's billing run went there)."""
    return httpx.create_ssl_context()


class _AtOurBase(BaseAPIClient):
    """pypaystack2's clients take their host from the class attribute ``_BASE_URL``; this sets
    it per instance (the platform's setting: the fake in development and tests), bounds each
    call by our timeout, which pypaystack2 would otherwise leave at httpx's default, and reuses
    one TLS context."""

    def __init__(self, *, secret_key: str, base_url: str, timeout: float) -> None:
        super().__init__(secret_key=secret_key)
        self._BASE_URL = base_url.rstrip("/")
        self._timeout = timeout

    def _serialize_request_kwargs(
        self, url: str, method: HTTPMethod, data: dict[str, Any] | list[Any] | None
    ) -> dict[str, Any]:
        return {
            **super()._serialize_request_kwargs(url, method, data),
            "timeout": self._timeout,
            "verify": _tls(),
        }


class _Transactions(_AtOurBase, TransactionClient):
    pass


class _Customers(_AtOurBase, CustomerClient):
    pass


class _Refunds(_AtOurBase, RefundClient):
    pass


def _currency(code: str) -> Currency:
    try:
        return Currency(code.upper())
    except ValueError:
        raise GatewayError(f"Paystack does not take {code}.") from None


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _unix_time(*values: Any) -> float | None:
    for value in values:
        if isinstance(value, str) and value:
            try:
                return datetime.fromisoformat(value).timestamp()
            except ValueError:
                continue
    return None


def _method_label(authorization: dict[str, Any]) -> tuple[str, str]:
    """(kind, label) of an authorization: "card", "Visa •••• 4081"; "mobile_money",
    "M-Pesa •••• 0123"."""
    kind = "mobile_money" if authorization.get("channel") == "mobile_money" else "card"
    brand = str(authorization.get("brand") or authorization.get("bank") or kind)
    key = re.sub(r"[^a-z]", "", brand.lower())
    name = _BRANDS.get(key, brand.strip().title())
    return kind, f"{name} •••• {authorization.get('last4') or '????'}"


class PaystackGateway:
    name = "paystack"

    def __init__(self, *, secret_key: str, api_base: str, timeout: float = 30.0) -> None:
        if not secret_key:
            raise GatewayError("Paystack is not configured: PAYSTACK_SECRET_KEY is empty.")
        self._secret_key = secret_key
        self._transactions = _Transactions(
            secret_key=secret_key, base_url=api_base, timeout=timeout
        )
        self._customers = _Customers(secret_key=secret_key, base_url=api_base, timeout=timeout)
        self._refunds = _Refunds(secret_key=secret_key, base_url=api_base, timeout=timeout)

    @classmethod
    def from_settings(cls) -> PaystackGateway:
        return cls(
            secret_key=settings.PAYSTACK_SECRET_KEY,
            api_base=settings.PAYSTACK_API_BASE,
            timeout=settings.BILLING_GATEWAY_TIMEOUT,
        )

    # --- calls ----------------------------------------------------------------------------

    @staticmethod
    def _send(call: Callable[[], Response[Any]]) -> tuple[int, dict[str, Any]]:
        """(HTTP status, body) of a call that Paystack answered in its envelope; anything that
        says nothing about the request itself (network, 5xx, our key refused, not JSON) is a
        ``GatewayError``, safe to retry."""
        try:
            response = call()
        except ClientNetworkError as exc:
            raise GatewayError(f"Paystack could not be reached: {exc}") from exc
        status = int(response.status_code)
        body = response.raw
        if status >= 500 or status in (401, 403) or not isinstance(body, dict):
            message = body.get("message") if isinstance(body, dict) else "not JSON"
            raise GatewayError(f"Paystack answered HTTP {status}: {message}")
        return status, body

    def _verify(self, reference: str) -> dict[str, Any] | None:
        """The transaction under ``reference`` (Verify Transaction), or None if there is none."""
        if not _REFERENCE.fullmatch(reference):
            return None  # Paystack allows no other characters: no such transaction
        status, body = self._send(
            lambda: self._transactions.verify(reference, alternate_model_class=_AnyData)
        )
        message = str(body.get("message") or "")
        if body.get("status") is not True:
            if (
                status == 404
                or body.get("code") == "transaction_not_found"
                or ("not found" in message.lower())
            ):
                return None
            raise GatewayError(f"Paystack Verify Transaction refused: {message}")
        data = _object(body.get("data"))
        if not data:
            raise GatewayError("Paystack Verify Transaction answered no transaction.")
        return data

    # --- customers and saved methods --------------------------------------------------------

    def ensure_customer(self, *, email: str, name: str, business_ref: str) -> str:
        # Paystack keys customers by e-mail: an owner's second business shares the customer,
        # which is harmless (authorizations, not customers, are charged).
        _, found = self._send(
            lambda: self._customers.get_customer(
                quote(email, safe="@"), alternate_model_class=_AnyData
            )
        )
        code = _object(found.get("data")).get("customer_code")
        if found.get("status") is True and isinstance(code, str) and code:
            return code
        _, made = self._send(
            lambda: self._customers.create(
                email=email,
                first_name=name,
                metadata={"business": business_ref},
                alternate_model_class=_AnyData,
            )
        )
        code = _object(made.get("data")).get("customer_code")
        if made.get("status") is not True or not isinstance(code, str) or not code:
            raise GatewayError(f"Paystack did not make the customer: {made.get('message')}")
        return code

    def start_setup(
        self, *, customer_id: str, email: str, currency: str, reference: str, return_url: str
    ) -> SetupSession:
        currency = currency.upper()
        amount = VERIFICATION_AMOUNTS.get(currency)
        if amount is None:
            raise GatewayError(f"Paystack setup is not offered in {currency}.")
        if not reference.startswith(SETUP_REFERENCE_PREFIX):
            reference = SETUP_REFERENCE_PREFIX + reference
        _usable_reference(reference)
        _, body = self._send(
            lambda: self._transactions.initialize(
                amount=amount,
                email=email,
                currency=_currency(currency),
                reference=reference,
                callback_url=return_url,
                channels=[Channel.CARD, Channel.MOBILE_MONEY],
                metadata={"purpose": "payment_method_setup", "customer_code": customer_id},
                alternate_model_class=_AnyData,
            )
        )
        url = _object(body.get("data")).get("authorization_url")
        if body.get("status") is not True or not isinstance(url, str) or not url:
            raise GatewayError(f"Paystack did not start the setup: {body.get('message')}")
        return SetupSession(url=url, reference=reference)

    def finish_setup(self, *, reference: str) -> SavedMethod | None:
        transaction = self._verify(reference)
        # "reversed": it succeeded and our refund went through (an earlier finish_setup).
        if transaction is None or transaction.get("status") not in ("success", "reversed"):
            return None
        authorization = _object(transaction.get("authorization"))
        code = authorization.get("authorization_code")
        if not isinstance(code, str) or not code or authorization.get("reusable") is not True:
            raise GatewayError(
                "Paystack gave no reusable authorization for this method: try another one."
            )
        if transaction.get("status") == "success":
            self._refund_verification(reference)
        kind, label = _method_label(authorization)
        return SavedMethod(
            token=code,
            customer_id=str(_object(transaction.get("customer")).get("customer_code") or ""),
            kind=kind,
            label=label,
        )

    def _refund_verification(self, reference: str) -> None:
        _, body = self._send(
            lambda: self._refunds.create(
                transaction=reference,
                merchant_note="Payment method check, refunded",
                alternate_model_class=_AnyData,
            )
        )
        message = str(body.get("message") or "")
        # Two finish_setup calls at once both see "success"; Paystack refunds once and refuses
        # the second as already reversed, which is what we wanted.
        if body.get("status") is not True and "reversed" not in message.lower():
            raise GatewayError(f"Paystack did not refund the verification charge: {message}")

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
        _usable_reference(reference)
        status, body = self._send(
            lambda: self._transactions.charge(
                amount=amount_minor,
                email=email,
                auth_code=method_token,
                reference=reference,
                currency=_currency(currency),
                metadata={"description": description, "customer_code": customer_id},
                alternate_model_class=_AnyData,
            )
        )
        message = str(body.get("message") or "")
        if body.get("status") is not True:
            if "duplicate" in message.lower():
                # Charged before under this reference (an answer lost, a rerun): say what
                # that charge did rather than charge again.
                first = self._verify(reference)
                if first is None:
                    raise GatewayError(f"Paystack: {message}, yet Verify finds no transaction.")
                return _charge_result(first, reference=reference)
            return ChargeResult(
                status="failed",
                gateway_reference=reference,
                amount_minor=amount_minor,
                currency=currency.upper(),
                failure_code=str(body.get("code") or f"http_{status}"),
                failure_message=message,
            )
        return _charge_result(_object(body.get("data")), reference=reference)

    def lookup_charge(self, *, reference: str) -> RemoteCharge | None:
        transaction = self._verify(reference)
        if transaction is None:
            return None
        return RemoteCharge(
            reference=reference,
            status=_STATUSES.get(str(transaction.get("status")), "pending"),
            amount_minor=int(transaction.get("amount") or 0),
            currency=str(transaction.get("currency") or "").upper(),
        )

    # --- webhooks --------------------------------------------------------------------------

    def parse_webhook(self, *, body: bytes, headers: dict[str, str]) -> WebhookEvent:
        signature = next(
            (value for key, value in headers.items() if key.lower() == SIGNATURE_HEADER), ""
        )
        if not signature:
            raise InvalidWebhook("The x-paystack-signature header is missing.")
        expected = hmac.new(self._secret_key.encode(), body, hashlib.sha512).hexdigest()
        if not hmac.compare_digest(expected.encode(), signature.strip().encode("utf-8", "replace")):
            raise InvalidWebhook("Bad Paystack signature.")
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError) as exc:
            raise InvalidWebhook("The Paystack webhook body is not JSON.") from exc
        event = payload.get("event") if isinstance(payload, dict) else None
        data = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(event, str) or not event or not isinstance(data, dict):
            raise InvalidWebhook("A Paystack event needs event and data.")
        reference = data.get("reference")
        reference = reference if isinstance(reference, str) else ""
        # Paystack sends no event id: the transaction's id with the event's name is unique per
        # happening and the same on every retry of it.
        identity = data.get("id") or reference or hashlib.sha256(body).hexdigest()[:32]
        amount = data.get("amount")
        setup = reference.startswith(SETUP_REFERENCE_PREFIX)
        if event == "charge.success" and reference:
            kind = "setup_completed" if setup else "payment_succeeded"
        elif event == "charge.failed" and reference and not setup:
            kind = "payment_failed"
        else:
            kind = "ignored"
        return WebhookEvent(
            gateway="paystack",
            event_id=f"{event}:{identity}",
            kind=kind,
            # Paystack stamps the transaction, not the delivery; without a stamp, now.
            occurred_at=_unix_time(data.get("paid_at"), data.get("paidAt"), data.get("created_at"))
            or time.time(),
            reference=reference,
            gateway_reference=reference,
            amount_minor=amount if isinstance(amount, int) and not isinstance(amount, bool) else 0,
            currency=str(data.get("currency") or "").upper(),
            failure_code=_failure_code(data) if kind == "payment_failed" else "",
            raw_type=event,
            payload=payload,
        )

    def confirm(self, event: WebhookEvent) -> WebhookEvent:
        """The event as Paystack's own record tells it (Verify Transaction): a webhook claiming
        success for a failed transaction becomes ``payment_failed``; amounts and currency are
        Paystack's. A transaction still in flight raises ``GatewayError`` (ask again later)."""
        if event.kind == "ignored":
            return event
        transaction = self._verify(event.reference)
        if transaction is None:
            raise InvalidWebhook(f"Paystack has no transaction {event.reference!r}.")
        status = _STATUSES.get(str(transaction.get("status")))
        if status is None:
            raise GatewayError(
                f"Paystack's transaction {event.reference!r} is still "
                f"{transaction.get('status')!r}: confirm it later."
            )
        setup = event.reference.startswith(SETUP_REFERENCE_PREFIX)
        if status == "succeeded":
            kind = "setup_completed" if setup else "payment_succeeded"
        else:
            kind = "ignored" if setup else "payment_failed"
        amount = transaction.get("amount")
        return replace(
            event,
            kind=kind,
            amount_minor=amount if isinstance(amount, int) else event.amount_minor,
            currency=str(transaction.get("currency") or event.currency).upper(),
            failure_code=_failure_code(transaction) if kind == "payment_failed" else "",
        )


def _failure_code(transaction: dict[str, Any]) -> str:
    """Paystack explains a failure in words (``gateway_response``: "Insufficient Funds");
    as a code: ``insufficient_funds``."""
    words = str(transaction.get("gateway_response") or "declined").lower()
    return re.sub(r"[^a-z0-9]+", "_", words).strip("_") or "declined"


def _charge_result(transaction: dict[str, Any], *, reference: str) -> ChargeResult:
    amount = transaction.get("amount")
    common: dict[str, Any] = {
        "gateway_reference": reference,
        "amount_minor": amount if isinstance(amount, int) else 0,
        "currency": str(transaction.get("currency") or "").upper(),
    }
    url = transaction.get("authorization_url")
    if transaction.get("paused") is True or transaction.get("status") == "paused":
        # The bank wants the payer to confirm this one on Paystack's page.
        return ChargeResult(
            status="requires_action", action_url=url if isinstance(url, str) else "", **common
        )
    status = _STATUSES.get(str(transaction.get("status")), "pending")
    if status == "failed":
        return ChargeResult(
            status="failed",
            failure_code=_failure_code(transaction),
            failure_message=str(transaction.get("gateway_response") or ""),
            **common,
        )
    return ChargeResult(status=status, **common)
