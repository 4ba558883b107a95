"""Hosted card payments, Flutterwave Standard (v3) style.

Credential values: ``secret_key`` (Bearer), ``webhook_hash`` (the secret hash set on the
dashboard, echoed in the ``verif-hash`` header), optionally ``redirect_url`` (where the payer's
browser returns; the per-payment callback URL otherwise) and ``customer_email`` (used when the
request has no e-mail).

Nothing the webhook body says is believed: ``parse_callback`` checks the header, then asks
Flutterwave for the transaction and reports what that verification says.
"""

from __future__ import annotations

import hmac
from decimal import Decimal
from typing import Any

import httpx

from tenant_apps.payments.gateways import _http
from tenant_apps.payments.gateways.base import (
    CallbackRejected,
    Credentials,
    GatewayError,
    InitiateRequest,
    Outcome,
    ProviderResult,
)

STATUS_OUTCOMES = {
    "successful": Outcome.SUCCEEDED,
    "failed": Outcome.FAILED,
    "cancelled": Outcome.FAILED,
    "pending": Outcome.PENDING,
}


class HostedCardGateway(_http.HttpGateway):
    name = "card"
    label = "card"

    def _request(
        self,
        creds: Credentials,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> tuple[httpx.Response, dict[str, Any]]:
        response = _http.send(
            method,
            self._url(creds, path),
            provider=self.name,
            headers={"Authorization": f"Bearer {self._value(creds, 'secret_key')}"},
            json_body=body,
            params=params,
            timeout=self.timeout,
        )
        return response, _http.json_of(response)

    @staticmethod
    def _error(response: httpx.Response, data: dict[str, Any]) -> GatewayError:
        return GatewayError(
            f"The card gateway refused the request: {data.get('message', '')}",
            code=str(data.get("code") or f"http_{response.status_code}"),
            retryable=response.status_code >= 500 or response.status_code == 429,
        )

    def initiate(self, creds: Credentials, request: InitiateRequest) -> ProviderResult:
        if request.amount <= 0:
            raise GatewayError("The amount must be positive.", code="invalid_amount")
        body = {
            "tx_ref": request.reference,
            # A string keeps the Decimal exact; the API accepts either.
            "amount": str(request.amount),
            "currency": request.currency,
            "redirect_url": creds.values.get("redirect_url") or request.callback_url,
            "customer": {
                "email": request.email or creds.values.get("customer_email", ""),
                "phonenumber": request.payer,
                "name": request.account_reference or request.reference,
            },
            "customizations": {"title": request.description or "Payment"},
        }
        response, data = self._request(creds, "POST", "/v3/payments", body=body)
        link = _http.obj(data.get("data")).get("link")
        if response.status_code >= 400 or data.get("status") != "success" or not link:
            raise self._error(response, data)
        return ProviderResult(
            outcome=Outcome.PENDING,
            provider_reference=request.reference,
            message=str(data.get("message", "")),
            amount=request.amount,
            currency=request.currency,
            payer=request.payer,
            redirect_url=str(link),
            raw=data,
        )

    def _verified(
        self,
        response: httpx.Response,
        data: dict[str, Any],
        *,
        tx_ref: str,
        amount: Decimal | None,
        currency: str | None,
    ) -> ProviderResult:
        if response.status_code >= 400 or data.get("status") != "success":
            message = str(data.get("message", ""))
            if response.status_code in (400, 404) and "no transaction" in message.lower():
                # The payer has not reached the payment page yet: nothing to verify, keep waiting.
                return ProviderResult(
                    outcome=Outcome.PENDING,
                    provider_reference=tx_ref,
                    code="not_found",
                    message=message,
                    raw=data,
                )
            raise self._error(response, data)
        transaction = data.get("data")
        if not isinstance(transaction, dict):
            raise GatewayError("The verification has no data.", code="bad_body")
        status = str(transaction.get("status", ""))
        paid_amount = _http.to_decimal(transaction.get("amount"))
        paid_currency = str(transaction.get("currency", ""))
        base: dict[str, Any] = {
            "provider_reference": str(transaction.get("tx_ref", "")),
            "receipt": str(transaction.get("id", "")),
            "amount": paid_amount,
            "currency": paid_currency,
            "payer": str((transaction.get("customer") or {}).get("phone_number") or ""),
            "raw": data,
        }
        if transaction.get("tx_ref") != tx_ref:
            # A verification of someone else's payment must never pay for this one.
            return ProviderResult(
                outcome=Outcome.FAILED,
                code="tx_ref_mismatch",
                message="The transaction belongs to another payment.",
                **base,
            )
        outcome = STATUS_OUTCOMES.get(status, Outcome.UNKNOWN)
        if outcome is Outcome.SUCCEEDED:
            if amount is not None and paid_amount != amount:
                return ProviderResult(
                    outcome=Outcome.FAILED,
                    code="amount_mismatch",
                    message=f"Paid {paid_amount}, expected {amount}.",
                    **base,
                )
            if currency is not None and paid_currency != currency:
                return ProviderResult(
                    outcome=Outcome.FAILED,
                    code="currency_mismatch",
                    message=f"Paid in {paid_currency}, expected {currency}.",
                    **base,
                )
        return ProviderResult(
            outcome=outcome,
            code=status,
            message=str(transaction.get("processor_response", "")),
            **base,
        )

    def verify(
        self,
        creds: Credentials,
        *,
        tx_ref: str,
        transaction_id: str = "",
        amount: Decimal | None = None,
        currency: str | None = None,
    ) -> ProviderResult:
        """Asks the gateway for the transaction; success needs the status ``successful``, our
        ``tx_ref`` and, when given, the expected amount and currency (else FAILED with a
        ``*_mismatch`` code: the payer must be refunded by a person, not given goods)."""
        if transaction_id:
            response, data = self._request(
                creds, "GET", f"/v3/transactions/{transaction_id}/verify"
            )
        else:
            response, data = self._request(
                creds, "GET", "/v3/transactions/verify_by_reference", params={"tx_ref": tx_ref}
            )
        return self._verified(response, data, tx_ref=tx_ref, amount=amount, currency=currency)

    def query(self, creds: Credentials, provider_reference: str, reference: str) -> ProviderResult:
        """The result carries the verified amount and currency; the caller compares them."""
        return self.verify(creds, tx_ref=provider_reference or reference)

    def parse_callback(
        self, creds: Credentials, body: bytes, headers: dict[str, str]
    ) -> ProviderResult:
        given = _http.lower_headers(headers).get("verif-hash", "")
        expected = self._value(creds, "webhook_hash")
        if not given or not hmac.compare_digest(given.encode(), expected.encode()):
            raise CallbackRejected("The verif-hash header does not match.")
        data = _http.load_callback(body)
        event = _http.callback_object(data, "data", "The webhook has no data object.")
        tx_ref, transaction_id = event.get("tx_ref"), event.get("id")
        if not isinstance(tx_ref, str) or not tx_ref or transaction_id in (None, ""):
            raise CallbackRejected("The webhook names no transaction.")
        return self.verify(creds, tx_ref=tx_ref, transaction_id=str(transaction_id))

    def refund(
        self, creds: Credentials, *, receipt: str, amount: Decimal, reference: str
    ) -> ProviderResult:
        response, data = self._request(
            creds, "POST", f"/v3/transactions/{receipt}/refund", body={"amount": str(amount)}
        )
        if response.status_code >= 400 or data.get("status") != "success":
            raise self._error(response, data)
        refund = _http.obj(data.get("data"))
        state = str(refund.get("status", "")).lower()
        outcome = {
            "completed": Outcome.SUCCEEDED,
            "successful": Outcome.SUCCEEDED,
            "failed": Outcome.FAILED,
        }.get(state, Outcome.PENDING)
        return ProviderResult(
            outcome=outcome,
            provider_reference=str(refund.get("id", "")),
            receipt=receipt,
            code=state,
            message=str(data.get("message", "")),
            amount=_http.to_decimal(refund.get("amount_refunded")) or amount,
            raw=data,
        )
