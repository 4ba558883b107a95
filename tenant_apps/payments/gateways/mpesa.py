"""M-Pesa Daraja: STK push (Lipa na M-Pesa Online), STK query, C2B, reversals and B2C payouts.

Credential values: ``consumer_key``, ``consumer_secret``, ``shortcode``, ``passkey``,
``transaction_type`` (``CustomerPayBillOnline`` by default, or ``CustomerBuyGoodsOnline`` with
the till number in ``party_b``); for reversals ``initiator_name``, ``initiator_password``,
``certificate_pem`` (Safaricom's public certificate), ``result_url`` and ``timeout_url``; for
B2C payouts (partial refunds) also ``b2c_shortcode``, optionally ``b2c_initiator_name`` and
``b2c_initiator_password`` (the reversal's initiator otherwise), ``b2c_command_id``
(``BusinessPayment`` by default) and ``b2c_version`` (``v1`` by default, or ``v3``).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from saas_platform.phones import InvalidPhone, phone_digits, phone_is_mobile, phone_region
from tenant_apps.payments.gateways import _http
from tenant_apps.payments.gateways.base import (
    Acknowledgement,
    CallbackRejected,
    Credentials,
    GatewayError,
    InitiateRequest,
    Outcome,
    ProviderResult,
    plain_acknowledgement,
)

NAIROBI = ZoneInfo("Africa/Nairobi")
INVALID_TOKEN = "404.001.03"  # noqa: S105 (an error code, not a secret)
BEING_PROCESSED = "500.001.1001"
PAYBILL = "CustomerPayBillOnline"
BUY_GOODS = "CustomerBuyGoodsOnline"
ACCOUNT_REFERENCE_MAX = 12
TRANSACTION_DESC_MAX = 13

FAILED_CODES = frozenset({"1", "17", "1019", "1025", "1032", "2001", "2028", "9999"})
UNKNOWN_CODES = frozenset({"1037"})
ALREADY_REVERSED = "R000001"
B2C_COMMANDS = ("BusinessPayment", "SalaryPayment", "PromotionPayment")
B2C_PATHS = {"v1": "/mpesa/b2c/v1/paymentrequest", "v3": "/mpesa/b2c/v3/paymentrequest"}

# What we answer Safaricom: a result (STK, reversal, B2C) taken, a C2B payment accepted at
# validation (ResultCode a string there), a C2B confirmation stored.
RESULT_ACCEPTED = {"ResultCode": 0, "ResultDesc": "Accepted"}
C2B_ACCEPT = {"ResultCode": "0", "ResultDesc": "Accepted"}
C2B_CONFIRMED = {"ResultCode": 0, "ResultDesc": "Success"}


def msisdn(phone: str) -> str:
    """A Kenyan mobile number as Daraja takes it (``254712345678``)."""
    try:
        if phone_region(phone) == "KE" and phone_is_mobile(phone):
            return phone_digits(phone)
    except InvalidPhone:
        pass
    raise GatewayError(f"M-Pesa needs a Kenyan mobile number, not {phone!r}.", code="invalid_phone")


def stk_outcome(code: str) -> Outcome:
    """Codes not listed are neither paid nor refused for certain: a person looks at them."""
    if code == "0":
        return Outcome.SUCCEEDED
    if code in FAILED_CODES:
        return Outcome.FAILED
    return Outcome.UNKNOWN


def stk_password(shortcode: str, passkey: str, timestamp: str) -> str:
    return base64.b64encode(f"{shortcode}{passkey}{timestamp}".encode()).decode()


def security_credential(initiator_password: str, certificate_pem: str) -> str:
    """Daraja's SecurityCredential: the initiator password under the certificate's RSA key."""
    try:
        certificate = x509.load_pem_x509_certificate(certificate_pem.encode())
    except ValueError as exc:
        raise GatewayError(
            "The M-Pesa certificate is not a PEM certificate.", code="bad_certificate"
        ) from exc
    public_key = certificate.public_key()
    if not isinstance(public_key, RSAPublicKey):
        raise GatewayError("The M-Pesa certificate has no RSA key.", code="bad_certificate")
    encrypted = public_key.encrypt(initiator_password.encode(), padding.PKCS1v15())
    return base64.b64encode(encrypted).decode()


@dataclass(frozen=True)
class C2BNotice:
    """A customer paid the business's paybill or till directly (C2B validation/confirmation)."""

    trans_id: str
    amount: Decimal
    bill_ref: str
    msisdn: str
    first_name: str
    middle_name: str
    last_name: str
    business_short_code: str
    trans_time: str
    raw: dict[str, Any] = field(default_factory=dict)


class DarajaGateway(_http.HttpGateway):
    name = "mpesa"
    label = "M-Pesa"
    client_key = "consumer_key"

    def __init__(
        self,
        *,
        timeout: httpx.Timeout | float | None = None,
        now: Any = None,
    ) -> None:
        super().__init__(timeout=timeout)
        # A clock can be given so that the Timestamp is checkable; it must return aware datetimes.
        self._now = now or (lambda: datetime.now(tz=NAIROBI))

    # --- plumbing -----------------------------------------------------------------------

    def _fetch_token(self, creds: Credentials) -> tuple[str, int]:
        response = _http.send(
            "GET",
            self._url(creds, "/oauth/v1/generate"),
            provider=self.name,
            params={"grant_type": "client_credentials"},
            auth=(self._value(creds, "consumer_key"), self._value(creds, "consumer_secret")),
            timeout=self.timeout,
        )
        data = self._checked(response)
        token = data.get("access_token")
        if not isinstance(token, str) or not token:
            raise GatewayError("M-Pesa gave no access token.", code="no_token")
        return token, _http.expires_in_seconds(data.get("expires_in"))

    def _timestamp(self) -> str:
        return self._now().astimezone(NAIROBI).strftime("%Y%m%d%H%M%S")

    def _stk_signed(self, creds: Credentials) -> dict[str, str]:
        """The shortcode, password and timestamp that open every STK request."""
        shortcode = self._value(creds, "shortcode")
        timestamp = self._timestamp()
        return {
            "BusinessShortCode": shortcode,
            "Password": stk_password(shortcode, self._value(creds, "passkey"), timestamp),
            "Timestamp": timestamp,
        }

    @staticmethod
    def _error(response: httpx.Response, data: dict[str, Any]) -> GatewayError:
        code = str(data.get("errorCode") or f"http_{response.status_code}")
        message = str(data.get("errorMessage") or data.get("ResponseDescription") or "")
        return GatewayError(
            f"M-Pesa refused the request: {message or response.reason_phrase}",
            code=code,
            retryable=response.status_code >= 500 or response.status_code == 429,
        )

    def _checked(self, response: httpx.Response) -> dict[str, Any]:
        data = _http.json_of(response)
        if response.status_code >= 400 or "errorCode" in data:
            raise self._error(response, data)
        return data

    def _post(self, creds: Credentials, path: str, body: dict[str, Any]) -> httpx.Response:
        """POSTs with the cached token; a token the provider has dropped is replaced once."""
        return _http.send_with_token(
            self._token_key(creds),
            lambda: self._fetch_token(creds),
            lambda token: _http.send(
                "POST",
                self._url(creds, path),
                provider=self.name,
                headers={"Authorization": f"Bearer {token}"},
                json_body=body,
                timeout=self.timeout,
            ),
            # Another process fetched a newer token, which invalidated ours.
            refused=self._is_invalid_token,
        )

    @staticmethod
    def _is_invalid_token(response: httpx.Response) -> bool:
        if response.status_code < 400:
            return False
        try:
            data = response.json()
        except ValueError:
            return False
        return isinstance(data, dict) and data.get("errorCode") == INVALID_TOKEN

    # --- STK push -----------------------------------------------------------------------

    def initiate(self, creds: Credentials, request: InitiateRequest) -> ProviderResult:
        amount = _http.whole_units(request.amount)
        shortcode = self._value(creds, "shortcode")
        transaction_type = creds.values.get("transaction_type") or PAYBILL
        if transaction_type not in (PAYBILL, BUY_GOODS):
            raise GatewayError(
                f"Unknown M-Pesa transaction type {transaction_type!r}.", code="bad_credential"
            )
        party_b = self._value(creds, "party_b") if transaction_type == BUY_GOODS else shortcode
        payer = msisdn(request.payer)
        body = {
            **self._stk_signed(creds),
            "TransactionType": transaction_type,
            "Amount": amount,
            "PartyA": payer,
            "PartyB": party_b,
            "PhoneNumber": payer,
            "CallBackURL": request.callback_url,
            "AccountReference": (request.account_reference or request.reference)[
                :ACCOUNT_REFERENCE_MAX
            ],
            "TransactionDesc": (request.description or "Payment")[:TRANSACTION_DESC_MAX],
        }
        data = self._checked(self._post(creds, "/mpesa/stkpush/v1/processrequest", body))
        code = str(data.get("ResponseCode", ""))
        checkout_id = data.get("CheckoutRequestID")
        if code != "0" or not isinstance(checkout_id, str) or not checkout_id:
            raise GatewayError(
                f"M-Pesa did not accept the push: {data.get('ResponseDescription', '')}",
                code=code or "not_accepted",
            )
        return ProviderResult(
            outcome=Outcome.PENDING,
            provider_reference=checkout_id,
            code=code,
            message=str(data.get("CustomerMessage") or data.get("ResponseDescription") or ""),
            amount=Decimal(amount),
            payer=payer,
            raw=data,
        )

    def query(self, creds: Credentials, provider_reference: str, reference: str) -> ProviderResult:
        body = {**self._stk_signed(creds), "CheckoutRequestID": provider_reference}
        response = self._post(creds, "/mpesa/stkpushquery/v1/query", body)
        data = _http.json_of(response)
        error_code = str(data.get("errorCode", ""))
        # 500.001.1001 also means "wrong credentials": only the message tells "ask again later".
        if (
            error_code == BEING_PROCESSED
            and "being processed" in str(data.get("errorMessage", "")).lower()
        ):
            return ProviderResult(
                outcome=Outcome.PENDING,
                provider_reference=provider_reference,
                code=error_code,
                message=str(data.get("errorMessage", "")),
                raw=data,
            )
        if response.status_code >= 400 or error_code:
            raise self._error(response, data)
        code = str(data.get("ResultCode", ""))
        if not code:
            raise GatewayError("The M-Pesa query answer has no ResultCode.", code="bad_body")
        return ProviderResult(
            outcome=stk_outcome(code),
            provider_reference=provider_reference,
            code=code,
            message=str(data.get("ResultDesc", "")),
            raw=data,
        )

    def acknowledgement(self, ack: Acknowledgement) -> dict[str, Any]:
        if ack == Acknowledgement.ACCEPTED:
            return dict(RESULT_ACCEPTED)
        return plain_acknowledgement(ack)

    def parse_callback(
        self, creds: Credentials, body: bytes, headers: dict[str, str]
    ) -> ProviderResult:
        """The STK callback is unsigned: the unguessable per-payment URL authenticates it, and
        the caller compares CheckoutRequestID with the one it stored."""
        data = _http.load_callback(body)
        stk = (
            data.get("Body", {}).get("stkCallback") if isinstance(data.get("Body"), dict) else None
        )
        if not isinstance(stk, dict):
            raise CallbackRejected("The callback has no Body.stkCallback.")
        checkout_id = stk.get("CheckoutRequestID")
        if not isinstance(checkout_id, str) or not checkout_id.strip():
            raise CallbackRejected("The callback has no CheckoutRequestID.")
        raw_code = stk.get("ResultCode")
        if isinstance(raw_code, bool) or not isinstance(raw_code, int | str) or raw_code == "":
            raise CallbackRejected("The callback has no ResultCode.")
        code = str(raw_code)
        items = self._metadata(stk)
        receipt = str(items.get("MpesaReceiptNumber") or "")
        outcome = stk_outcome(code)
        if outcome is Outcome.SUCCEEDED and not receipt:
            raise CallbackRejected("A successful callback must carry an MpesaReceiptNumber.")
        phone = items.get("PhoneNumber")
        return ProviderResult(
            outcome=outcome,
            provider_reference=checkout_id,
            receipt=receipt,
            code=code,
            message=str(stk.get("ResultDesc", "")),
            amount=_http.to_decimal(items.get("Amount")),
            payer="" if phone is None else str(phone),
            raw=data,
        )

    @staticmethod
    def _metadata(stk: dict[str, Any]) -> dict[str, Any]:
        metadata = stk.get("CallbackMetadata")
        if metadata is None:
            return {}
        items = metadata.get("Item") if isinstance(metadata, dict) else None
        if not isinstance(items, list):
            raise CallbackRejected("CallbackMetadata.Item is not a list.")
        found: dict[str, Any] = {}
        for item in items:
            # Items are read by name: their order is not promised, and Balance has no Value.
            if isinstance(item, dict) and isinstance(item.get("Name"), str):
                found[item["Name"]] = item.get("Value")
        return found

    # --- C2B ----------------------------------------------------------------------------

    def register_c2b_urls(
        self, creds: Credentials, confirmation_url: str, validation_url: str
    ) -> dict[str, Any]:
        body = {
            "ShortCode": self._value(creds, "shortcode"),
            # "Completed": if our validation URL cannot be reached, M-Pesa completes the payment
            # (the customer has paid; refusing would only lose a sale we can still match).
            "ResponseType": creds.values.get("c2b_response_type") or "Completed",
            "ConfirmationURL": confirmation_url,
            "ValidationURL": validation_url,
        }
        data = self._checked(self._post(creds, "/mpesa/c2b/v1/registerurl", body))
        if str(data.get("ResponseCode", "0")) != "0":
            raise GatewayError(
                f"M-Pesa refused the URLs: {data.get('ResponseDescription', '')}",
                code=str(data.get("ResponseCode")),
            )
        return data

    @staticmethod
    def parse_c2b(body: bytes) -> C2BNotice:
        data = _http.load_callback(body)
        trans_id = data.get("TransID")
        amount = _http.to_decimal(data.get("TransAmount"))
        shortcode = data.get("BusinessShortCode")
        if not isinstance(trans_id, str) or not trans_id or amount is None or not shortcode:
            raise CallbackRejected("A C2B notice needs TransID, TransAmount and BusinessShortCode.")

        def text(key: str) -> str:
            value = data.get(key)
            return "" if value is None else str(value)

        return C2BNotice(
            trans_id=trans_id,
            amount=amount,
            bill_ref=text("BillRefNumber").strip(),
            msisdn=text("MSISDN"),
            first_name=text("FirstName"),
            middle_name=text("MiddleName"),
            last_name=text("LastName"),
            business_short_code=str(shortcode),
            trans_time=text("TransTime"),
            raw=data,
        )

    # --- reversal -----------------------------------------------------------------------

    def refund(
        self, creds: Credentials, *, receipt: str, amount: Decimal, reference: str
    ) -> ProviderResult:
        """Daraja reverses a whole transaction; the answer comes later as a Result POST
        (see ``parse_result``) to the ``result_url`` credential."""
        whole = _http.whole_units(amount)
        result_url = self._value(creds, "result_url")
        body = {
            "Initiator": self._value(creds, "initiator_name"),
            "SecurityCredential": security_credential(
                self._value(creds, "initiator_password"), self._value(creds, "certificate_pem")
            ),
            "CommandID": "TransactionReversal",
            "TransactionID": receipt,
            "Amount": whole,
            "ReceiverParty": self._value(creds, "shortcode"),
            "RecieverIdentifierType": "11",
            "ResultURL": result_url,
            "QueueTimeOutURL": creds.values.get("timeout_url") or result_url,
            "Remarks": f"Refund {reference}"[:100],
            "Occasion": reference[:100],
        }
        data = self._checked(self._post(creds, "/mpesa/reversal/v1/request", body))
        conversation = _queued(data, "reversal")
        return ProviderResult(
            outcome=Outcome.PENDING,
            provider_reference=str(conversation),
            receipt=receipt,
            code="0",
            message=str(data.get("ResponseDescription", "")),
            amount=Decimal(whole),
            raw=data,
        )

    # --- B2C payout -----------------------------------------------------------------------

    def payout(
        self,
        creds: Credentials,
        *,
        phone: str,
        amount: Decimal,
        reference: str,
        result_url: str,
        timeout_url: str = "",
        remarks: str = "",
    ) -> ProviderResult:
        """Sends ``amount`` from the B2C shortcode to a customer's phone: how part of a payment
        is given back, since a reversal returns the whole transaction. Accepted means only
        queued; the outcome comes later as a Result POST to ``result_url`` (``parse_result``)."""
        whole = _http.whole_units(amount)
        party_b = msisdn(phone)
        if not result_url:
            raise GatewayError("A B2C payout needs a result URL.", code="missing_result_url")
        command = creds.values.get("b2c_command_id") or B2C_COMMANDS[0]
        version = creds.values.get("b2c_version") or "v1"
        if command not in B2C_COMMANDS or version not in B2C_PATHS:
            raise GatewayError(
                f"Unknown B2C command {command!r} or version {version!r}.", code="bad_credential"
            )
        # The B2C shortcode is an organisation of its own on M-Pesa and may have its own API
        # user; without one the reversal's initiator is used.
        initiator = creds.values.get("b2c_initiator_name") or self._value(creds, "initiator_name")
        password = creds.values.get("b2c_initiator_password") or self._value(
            creds, "initiator_password"
        )
        body: dict[str, Any] = {
            "InitiatorName": initiator,
            "SecurityCredential": security_credential(
                password, self._value(creds, "certificate_pem")
            ),
            "CommandID": command,
            "Amount": whole,
            "PartyA": self._value(creds, "b2c_shortcode"),
            "PartyB": party_b,
            "Remarks": (remarks or f"Refund {reference}")[:100],
            "QueueTimeOutURL": timeout_url or result_url,
            "ResultURL": result_url,
            "Occasion": reference[:100],
        }
        if version == "v3":
            # v3 takes the caller's id for the request and echoes it in the Result.
            body = {"OriginatorConversationID": reference[:100], **body}
        data = self._checked(self._post(creds, B2C_PATHS[version], body))
        conversation = _queued(data, "payout")
        return ProviderResult(
            outcome=Outcome.PENDING,
            provider_reference=str(conversation),
            code="0",
            message=str(data.get("ResponseDescription", "")),
            amount=Decimal(whole),
            payer=party_b,
            raw=data,
        )

    @staticmethod
    def parse_result(body: bytes) -> ProviderResult:
        """The asynchronous Result of a reversal, B2C payout (or transaction status) request."""
        data = _http.load_callback(body)
        result = _http.callback_object(data, "Result", "The result has no Result object.")
        conversation = _http.callback_text(
            result, "ConversationID", "The result has no ConversationID."
        )
        code = str(result.get("ResultCode", ""))
        if not code:
            raise CallbackRejected("The result has no ResultCode.")
        # Reversing twice answers R000001: the money is back either way.
        outcome = Outcome.SUCCEEDED if code in ("0", ALREADY_REVERSED) else Outcome.FAILED
        parameters = _result_parameters(result)
        # A B2C Result names its M-Pesa receipt TransactionReceipt; a reversal's is TransactionID.
        receipt = parameters.get("TransactionReceipt") or result.get("TransactionID") or ""
        receiver = parameters.get("ReceiverPartyPublicName")
        return ProviderResult(
            outcome=outcome,
            provider_reference=conversation,
            receipt=str(receipt),
            code=code,
            message=str(result.get("ResultDesc", "")),
            amount=_http.to_decimal(parameters.get("TransactionAmount")),
            payer="" if receiver is None else str(receiver),
            raw=data,
        )


def _queued(data: dict[str, Any], what: str) -> str:
    """The ConversationID of a request M-Pesa has queued (a reversal, a payout)."""
    conversation = data.get("ConversationID")
    if str(data.get("ResponseCode", "")) != "0" or not conversation:
        raise GatewayError(
            f"M-Pesa did not accept the {what}: {data.get('ResponseDescription', '')}",
            code=str(data.get("ResponseCode", "not_accepted")),
        )
    return str(conversation)


def _result_parameters(result: dict[str, Any]) -> dict[str, Any]:
    """``ResultParameters.ResultParameter`` by Key. Failures may carry none, and a lone
    parameter may come as an object instead of a list of one."""
    container = result.get("ResultParameters")
    items = container.get("ResultParameter") if isinstance(container, dict) else None
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        return {}
    return {
        item["Key"]: item.get("Value")
        for item in items
        if isinstance(item, dict) and isinstance(item.get("Key"), str)
    }
