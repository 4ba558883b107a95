"""UPI collect requests through an aggregator, Razorpay style.

Credential values: ``key_id``, ``key_secret`` (Basic auth), ``webhook_secret`` (signs
webhooks), optionally ``contact`` and ``email`` (the business's own, sent when the sale has
none; Razorpay requires both) and ``expiry_minutes`` for the collect request (5 by default).

Each payment gets an order first (its ``receipt`` is our reference): Razorpay refunds payments
made without an order.
"""

from __future__ import annotations

import hashlib
import hmac
from decimal import Decimal
from typing import Any

from tenant_apps.payments.gateways import _http
from tenant_apps.payments.gateways.base import (
    CallbackRejected,
    Credentials,
    GatewayError,
    InitiateRequest,
    Outcome,
    ProviderResult,
)

PAISE = Decimal(100)
STATUS_OUTCOMES = {
    "captured": Outcome.SUCCEEDED,
    # Refunds come after a capture: the payment itself was made.
    "refunded": Outcome.SUCCEEDED,
    "failed": Outcome.FAILED,
    "created": Outcome.PENDING,
    "authorized": Outcome.PENDING,
}
EVENT_OUTCOMES = {"payment.captured": Outcome.SUCCEEDED, "payment.failed": Outcome.FAILED}


def webhook_signature(secret: str, raw_body: bytes) -> str:
    return hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()


def to_paise(amount: Decimal) -> int:
    paise = amount * PAISE
    if amount <= 0 or paise != paise.to_integral_value():
        raise GatewayError(f"{amount} is not a payable rupee amount.", code="invalid_amount")
    return int(paise)


class UpiGateway(_http.HttpGateway):
    name = "upi"
    label = "UPI"

    def _call(
        self, creds: Credentials, method: str, path: str, body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        response = _http.send(
            method,
            self._url(creds, path),
            provider=self.name,
            auth=(self._value(creds, "key_id"), self._value(creds, "key_secret")),
            json_body=body,
            timeout=self.timeout,
        )
        data = _http.json_of(response)
        if response.status_code >= 400 or isinstance(data.get("error"), dict):
            error = _http.obj(data.get("error"))
            raise GatewayError(
                f"The UPI gateway refused the request: {error.get('description', '')}",
                code=str(error.get("code") or f"http_{response.status_code}"),
                retryable=response.status_code >= 500 or response.status_code == 429,
            )
        return data

    @staticmethod
    def _from_payment(
        payment: dict[str, Any], outcome: Outcome, raw: dict[str, Any]
    ) -> ProviderResult:
        amount = payment.get("amount")
        return ProviderResult(
            outcome=outcome,
            provider_reference=str(payment.get("id", "")),
            receipt=str(payment.get("id", "")),
            code=str(payment.get("error_code") or payment.get("status") or ""),
            message=str(payment.get("error_description") or ""),
            amount=None if amount is None else Decimal(int(amount)) / PAISE,
            currency=str(payment.get("currency", "")),
            payer=str(payment.get("vpa") or ""),
            raw=raw,
        )

    def initiate(self, creds: Credentials, request: InitiateRequest) -> ProviderResult:
        paise = to_paise(request.amount)
        if not request.payer or "@" not in request.payer:
            raise GatewayError("A UPI collect request needs the payer's VPA.", code="invalid_vpa")
        order = self._call(
            creds,
            "POST",
            "/v1/orders",
            {
                "amount": paise,
                "currency": request.currency,
                "receipt": request.reference[:40],
                "notes": {"reference": request.reference},
            },
        )
        payment = self._call(
            creds,
            "POST",
            "/v1/payments/create/upi",
            {
                "amount": paise,
                "currency": request.currency,
                "order_id": order.get("id"),
                "email": request.email or creds.values.get("email", ""),
                "contact": creds.values.get("contact", ""),
                "method": "upi",
                "description": request.description or request.reference,
                "notes": {"reference": request.reference},
                "upi": {
                    "flow": "collect",
                    "vpa": request.payer,
                    "expiry_time": int(creds.values.get("expiry_minutes") or 5),
                },
            },
        )
        payment_id = payment.get("razorpay_payment_id")
        if not isinstance(payment_id, str) or not payment_id:
            raise GatewayError("The UPI gateway returned no payment id.", code="bad_body")
        return ProviderResult(
            outcome=Outcome.PENDING,
            provider_reference=payment_id,
            amount=request.amount,
            currency=request.currency,
            payer=request.payer,
            raw={"order": order, "payment": payment},
        )

    def query(self, creds: Credentials, provider_reference: str, reference: str) -> ProviderResult:
        payment = self._call(creds, "GET", f"/v1/payments/{provider_reference}")
        status = str(payment.get("status", ""))
        return self._from_payment(payment, STATUS_OUTCOMES.get(status, Outcome.UNKNOWN), payment)

    def parse_callback(
        self, creds: Credentials, body: bytes, headers: dict[str, str]
    ) -> ProviderResult:
        """The signature covers the raw bytes as received; re-serialized JSON would differ."""
        given = _http.lower_headers(headers).get("x-razorpay-signature", "")
        expected = webhook_signature(self._value(creds, "webhook_secret"), body)
        if not given or not hmac.compare_digest(given, expected):
            raise CallbackRejected("The X-Razorpay-Signature does not match the body.")
        data = _http.load_callback(body)
        event = data.get("event")
        payment = ((data.get("payload") or {}).get("payment") or {}).get("entity")
        if event not in EVENT_OUTCOMES or not isinstance(payment, dict) or not payment.get("id"):
            raise CallbackRejected(f"Not a payment result event: {event!r}.")
        return self._from_payment(payment, EVENT_OUTCOMES[event], data)

    def refund(
        self, creds: Credentials, *, receipt: str, amount: Decimal, reference: str
    ) -> ProviderResult:
        refund = self._call(
            creds,
            "POST",
            f"/v1/payments/{receipt}/refund",
            {
                "amount": to_paise(amount),
                "receipt": reference[:40],
                "notes": {"reference": reference},
            },
        )
        state = str(refund.get("status", ""))
        outcome = {"processed": Outcome.SUCCEEDED, "failed": Outcome.FAILED}.get(
            state, Outcome.PENDING
        )
        paise = refund.get("amount")
        return ProviderResult(
            outcome=outcome,
            provider_reference=str(refund.get("id", "")),
            receipt=receipt,
            code=state,
            amount=amount if paise is None else Decimal(int(paise)) / PAISE,
            currency=str(refund.get("currency", "")),
            raw=refund,
        )
