"""Airtel Money Africa collections (USSD push), enquiry, callback and refund.

Credential values: ``client_id``, ``client_secret``, ``country`` (ISO, e.g. ``KE``),
``currency`` (e.g. ``KES``), ``country_code`` (dialling code, e.g. ``254``) and optionally
``callback_secret`` (the key Airtel signs callbacks with when callback authentication is on).

Callback hash: Airtel documents ``hash`` as base64(HMAC-SHA256(key, payload)) without saying
which bytes are the payload. We hash the ``transaction`` object serialized compactly
(``json.dumps(..., separators=(",", ":"))``), as community integrations do. Because that is
unverified, a callback is never trusted on its own when no secret is configured: its outcome is
then taken from an enquiry instead (see ``parse_callback``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from decimal import Decimal
from typing import Any

from saas_platform.phones import InvalidPhone, phone_national
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
    "TS": Outcome.SUCCEEDED,
    "TF": Outcome.FAILED,
    "TE": Outcome.FAILED,
    "TA": Outcome.UNKNOWN,
    "TIP": Outcome.PENDING,
}


def callback_hash(secret: str, transaction: dict[str, Any]) -> str:
    payload = json.dumps(transaction, separators=(",", ":")).encode()
    digest = hmac.new(secret.encode(), payload, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def local_msisdn(payer: str, country_code: str) -> str:
    """Airtel wants the subscriber number without the country's dialling code, and only one of
    the account's country (``country_code``, e.g. ``254``)."""
    try:
        return phone_national(payer, country_code=country_code)
    except InvalidPhone:
        raise GatewayError(
            f"Airtel needs a mobile number of country code {country_code}, not {payer!r}.",
            code="invalid_phone",
        ) from None


class AirtelGateway(_http.HttpGateway):
    name = "airtel"
    label = "Airtel"
    client_key = "client_id"

    def _fetch_token(self, creds: Credentials) -> tuple[str, int]:
        response = _http.send(
            "POST",
            self._url(creds, "/auth/oauth2/token"),
            provider=self.name,
            json_body={
                "client_id": self._value(creds, "client_id"),
                "client_secret": self._value(creds, "client_secret"),
                "grant_type": "client_credentials",
            },
            timeout=self.timeout,
        )
        data = _http.json_of(response)
        token = data.get("access_token")
        if response.status_code >= 400 or not isinstance(token, str) or not token:
            raise GatewayError(
                f"Airtel refused the credentials: {data.get('error_description', '')}",
                code=str(data.get("error") or f"http_{response.status_code}"),
                retryable=response.status_code >= 500,
            )
        return token, _http.expires_in_seconds(data.get("expires_in"), default=180)

    def _call(
        self,
        creds: Credentials,
        method: str,
        path: str,
        *,
        currency: str,
        body: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        response = _http.send_with_token(
            self._token_key(creds),
            lambda: self._fetch_token(creds),
            lambda token: _http.send(
                method,
                self._url(creds, path),
                provider=self.name,
                headers={
                    "Authorization": f"Bearer {token}",
                    "X-Country": self._value(creds, "country"),
                    "X-Currency": currency,
                    "Accept": "*/*",
                },
                json_body=body,
                timeout=self.timeout,
            ),
            refused=lambda response: response.status_code == 401,
        )
        data = _http.json_of(response)
        status = _http.obj(data.get("status"))
        if response.status_code >= 400 or status.get("success") is False:
            raise GatewayError(
                f"Airtel refused the request: {status.get('message', '')}",
                code=str(
                    status.get("response_code")
                    or status.get("result_code")
                    or f"http_{response.status_code}"
                ),
                retryable=response.status_code >= 500,
            )
        return data

    def initiate(self, creds: Credentials, request: InitiateRequest) -> ProviderResult:
        amount = _http.whole_units(request.amount)
        country = self._value(creds, "country")
        body = {
            "reference": (request.description or request.reference)[:64],
            "subscriber": {
                "country": country,
                "currency": request.currency,
                "msisdn": local_msisdn(request.payer, creds.values.get("country_code", "")),
            },
            "transaction": {
                "amount": amount,
                "country": country,
                "currency": request.currency,
                "id": request.reference,
            },
        }
        data = self._call(
            creds, "POST", "/merchant/v1/payments/", currency=request.currency, body=body
        )
        status = data.get("status") or {}
        return ProviderResult(
            outcome=Outcome.PENDING,
            provider_reference=request.reference,
            code=str(status.get("response_code", "")),
            message=str(status.get("message", "")),
            amount=Decimal(amount),
            payer=request.payer,
            raw=data,
        )

    def query(self, creds: Credentials, provider_reference: str, reference: str) -> ProviderResult:
        transaction_id = provider_reference or reference
        data = self._call(
            creds,
            "GET",
            f"/standard/v1/payments/{transaction_id}",
            currency=self._value(creds, "currency"),
        )
        transaction = (data.get("data") or {}).get("transaction") or {}
        status = str(transaction.get("status", ""))
        return ProviderResult(
            outcome=STATUS_OUTCOMES.get(status, Outcome.UNKNOWN),
            provider_reference=str(transaction.get("id") or transaction_id),
            receipt=str(transaction.get("airtel_money_id") or ""),
            code=status,
            message=str(transaction.get("message", "")),
            raw=data,
        )

    def parse_callback(
        self, creds: Credentials, body: bytes, headers: dict[str, str]
    ) -> ProviderResult:
        data = _http.load_callback(body)
        transaction = _http.callback_object(
            data, "transaction", "The callback has no transaction object."
        )
        transaction_id = _http.callback_text(
            transaction, "id", "The callback has no transaction id."
        )
        secret = creds.values.get("callback_secret", "")
        if not secret:
            # Nothing proves this body came from Airtel: ask Airtel itself what happened.
            return self.query(creds, transaction_id, transaction_id)
        given = data.get("hash")
        expected = callback_hash(secret, transaction)
        if not isinstance(given, str) or not hmac.compare_digest(given, expected):
            raise CallbackRejected("The callback hash does not match.")
        status = str(transaction.get("status_code", ""))
        return ProviderResult(
            outcome=STATUS_OUTCOMES.get(status, Outcome.UNKNOWN),
            provider_reference=transaction_id,
            receipt=str(transaction.get("airtel_money_id") or ""),
            code=status,
            message=str(transaction.get("message", "")),
            raw=data,
        )

    def refund(
        self, creds: Credentials, *, receipt: str, amount: Decimal, reference: str
    ) -> ProviderResult:
        data = self._call(
            creds,
            "POST",
            "/standard/v1/payments/refund",
            currency=self._value(creds, "currency"),
            body={"transaction": {"airtel_money_id": receipt}},
        )
        transaction = (data.get("data") or {}).get("transaction") or {}
        state = str(transaction.get("status", "")).upper()
        outcome = {"SUCCESS": Outcome.SUCCEEDED, "FAILED": Outcome.FAILED}.get(
            state, Outcome.PENDING
        )
        return ProviderResult(
            outcome=outcome,
            provider_reference=reference,
            receipt=str(transaction.get("airtel_money_id") or receipt),
            code=state,
            message=str((data.get("status") or {}).get("message", "")),
            amount=amount,
            raw=data,
        )
