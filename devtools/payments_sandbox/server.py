"""One local fake of M-Pesa Daraja, Airtel Money, Flutterwave and Razorpay.

A plain WSGI application (no Django) that checks what the real providers check — credentials,
tokens, the STK password, content types, field limits, signatures — and answers in their wire
formats. Outcomes are chosen by the last digit of the payer (see ``docs/payments-sandbox.md``).
Callbacks are built exactly as the provider would send them and are either posted after
``callback_delay`` seconds (development) or only recorded (tests, ``deliver=False``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import html
import itertools
import json
import re
import secrets
import string
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from zoneinfo import ZoneInfo

import httpx

from devtools.payments_sandbox.keys import sandbox_keys
from tenant_apps.payments.gateways import destinations
from tenant_apps.payments.gateways.base import Credentials

NAIROBI = ZoneInfo("Africa/Nairobi")
# Safaricom's published passkey for the shared sandbox shortcode 174379.
DARAJA_SANDBOX_PASSKEY = "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919"

SANDBOX_CREDENTIALS: dict[str, dict[str, str]] = {
    "mpesa": {
        "consumer_key": "duka-sandbox-key",
        "consumer_secret": "duka-sandbox-secret",
        "shortcode": "174379",
        "passkey": DARAJA_SANDBOX_PASSKEY,
        "transaction_type": "CustomerPayBillOnline",
        "party_b": "174379",
        "initiator_name": "testapi",
        "initiator_password": "Safaricom999!*!",
        "certificate_pem": sandbox_keys().certificate_pem,
        # B2C payouts (partial refunds) leave from a shortcode of their own; the initiator is
        # the reversal's.
        "b2c_shortcode": "600996",
    },
    "airtel": {
        "client_id": "duka-sandbox-airtel-id",
        "client_secret": "duka-sandbox-airtel-secret",
        "country": "KE",
        "currency": "KES",
        "country_code": "254",
        "callback_secret": "duka-sandbox-airtel-callback",
    },
    "card": {
        "secret_key": "FLWSECK_TEST-duka-sandbox-X",
        "webhook_hash": "duka-sandbox-verif-hash",
        "customer_email": "sandbox@duka.test",
    },
    "upi": {
        "key_id": "rzp_test_dukasandbox",
        "key_secret": "duka-sandbox-razorpay-secret",
        "webhook_secret": "duka-sandbox-razorpay-webhook",
        "contact": "9000090000",
        "email": "sandbox@duka.test",
    },
    "cash": {},
}

PROCESSING = "processing"  # the STK query's "being processed" answer


@dataclass(frozen=True)
class Scenario:
    """What happens to a payment: the callback's code (None: no callback) and what successive
    queries answer (the last answer repeats)."""

    label: str
    callback: str | None
    queries: tuple[str, ...]

    def query_answer(self, count: int) -> str:
        return self.queries[min(count, len(self.queries) - 1)]

    @property
    def paid(self) -> bool:
        return self.queries[-1] == "0"


SCENARIOS: dict[int, Scenario] = {
    0: Scenario("success", "0", ("0",)),
    1: Scenario("cancelled by the payer", "1032", ("1032",)),
    2: Scenario("no callback; query: being processed, then success", None, (PROCESSING, "0")),
    3: Scenario("insufficient funds", "1", ("1",)),
    4: Scenario("no callback; query: being processed forever", None, (PROCESSING,)),
    5: Scenario("callback 1037 (no response), then query: success", "1037", ("0",)),
    6: Scenario("wrong PIN", "2001", ("2001",)),
}
SUCCESS = SCENARIOS[0]

RESULT_DESCRIPTIONS = {
    "0": "The service request is processed successfully.",
    "1": "The balance is insufficient for the transaction.",
    "1032": "Request cancelled by user",
    "1037": "DS timeout user cannot be reached",
    "2001": "The initiator information is invalid.",
    "2028": "The request is not permitted according to product assignment.",
}

# Airtel: (status, response code, message) per Daraja-style code of the scenario.
AIRTEL_STATUS = {
    "0": ("TS", "DP00800001001", "Transaction is successful."),
    "1032": ("TF", "DP00800001008", "The transaction was refused."),
    "1": ("TF", "DP00800001007", "Not enough balance."),
    "2001": ("TF", "DP00800001002", "Incorrect PIN has been entered."),
    PROCESSING: ("TIP", "DP00800001006", "Transaction in progress."),
    "1037": ("TA", "DP00800001000", "Transaction is ambiguous."),
}
# Razorpay: (error code, reason, description) for the failures.
UPI_FAILURES = {
    "1032": ("BAD_REQUEST_ERROR", "payment_cancelled", "Payment was cancelled by the customer."),
    "1": ("BAD_REQUEST_ERROR", "insufficient_funds", "The customer's account has no funds."),
    "2001": ("BAD_REQUEST_ERROR", "incorrect_pin", "The customer entered a wrong UPI PIN."),
}

JSON_TYPE = "application/json"
PHONE = re.compile(r"^254\d{9}$")
TIMESTAMP = re.compile(r"^\d{14}$")
URL = re.compile(r"^https?://\S+$")
B2C_COMMANDS = ("BusinessPayment", "SalaryPayment", "PromotionPayment")
# What the sandbox's B2C utility account holds until a test sets it (``set_b2c_balance``).
B2C_OPENING_BALANCE = Decimal(1_000_000)


def _loopback(url: str, headers: dict[str, str]) -> tuple[str, dict[str, str]]:
    """``demo.localhost`` names this machine, but only browsers resolve it: connect to the
    loopback address and name the business in the Host header, as a browser would."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host != "localhost" and not host.endswith(".localhost"):
        return url, headers
    port = f":{parts.port}" if parts.port else ""
    return (
        urlunsplit(parts._replace(netloc=f"127.0.0.1{port}")),
        {**headers, "Host": parts.netloc},
    )


def _encode(value: Any) -> Any:
    # Providers send amounts as JSON numbers; our Decimals become the same literal.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def dumps(value: Any, *, compact: bool = False) -> bytes:
    separators = (",", ":") if compact else (", ", ": ")
    return json.dumps(value, default=_encode, separators=separators).encode()


def _random(
    prefix: str, length: int, alphabet: str = string.ascii_uppercase + string.digits
) -> str:
    return prefix + "".join(secrets.choice(alphabet) for _ in range(length))


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _amount(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def basic_auth(self) -> tuple[str, str] | None:
        value = self.headers.get("authorization", "")
        if not value.lower().startswith("basic "):
            return None
        try:
            decoded = base64.b64decode(value[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        user, sep, password = decoded.partition(":")
        return (user, password) if sep else None

    def bearer(self) -> str:
        value = self.headers.get("authorization", "")
        return value[7:].strip() if value.lower().startswith("bearer ") else ""


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = JSON_TYPE
    headers: list[tuple[str, str]] = field(default_factory=list)


def reply(status: int, value: Any) -> Response:
    return Response(status, dumps(value))


def daraja_error(status: int, code: str, message: str) -> Response:
    return reply(
        status,
        {"requestId": _random("", 20, string.digits), "errorCode": code, "errorMessage": message},
    )


def bad_request(field_name: str) -> Response:
    return daraja_error(400, "400.002.02", f"Bad Request - Invalid {field_name}")


STATUS_TEXT = {
    200: "OK",
    201: "Created",
    302: "Found",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    415: "Unsupported Media Type",
    500: "Internal Server Error",
}


class SandboxApp:
    """The WSGI application and all its state, guarded by one lock."""

    def __init__(
        self,
        *,
        deliver: bool = True,
        callback_delay: float = 2.0,
        credentials: dict[str, dict[str, str]] | None = None,
        webhook_urls: dict[str, str] | None = None,
    ) -> None:
        self.deliver = deliver
        self.callback_delay = callback_delay
        self.creds = {name: dict(values) for name, values in SANDBOX_CREDENTIALS.items()}
        for name, values in (credentials or {}).items():
            self.creds.setdefault(name, {}).update(values)
        self.keys = sandbox_keys()
        self.base_url = ""
        self._lock = threading.RLock()
        self._timers: list[threading.Timer] = []
        self._initial_webhooks = dict(webhook_urls or {})
        self._routes: list[tuple[str, re.Pattern[str], Callable[..., Response]]] = [
            ("GET", re.compile(r"/oauth/v1/generate"), self.daraja_token),
            ("POST", re.compile(r"/mpesa/stkpush/v1/processrequest"), self.daraja_stk_push),
            ("POST", re.compile(r"/mpesa/stkpushquery/v1/query"), self.daraja_stk_query),
            ("POST", re.compile(r"/mpesa/c2b/v1/registerurl"), self.daraja_register_c2b),
            ("POST", re.compile(r"/mpesa/reversal/v1/request"), self.daraja_reversal),
            ("POST", re.compile(r"/mpesa/b2c/(?P<version>v1|v3)/paymentrequest"), self.daraja_b2c),
            ("POST", re.compile(r"/auth/oauth2/token"), self.airtel_token),
            ("POST", re.compile(r"/merchant/v1/payments/?"), self.airtel_collect),
            ("POST", re.compile(r"/standard/v1/payments/refund"), self.airtel_refund),
            ("GET", re.compile(r"/standard/v1/payments/(?P<tid>[^/]+)"), self.airtel_enquiry),
            ("POST", re.compile(r"/v3/payments"), self.flw_initiate),
            ("GET", re.compile(r"/v3/transactions/verify_by_reference"), self.flw_verify_ref),
            ("GET", re.compile(r"/v3/transactions/(?P<tid>\d+)/verify"), self.flw_verify),
            ("POST", re.compile(r"/v3/transactions/(?P<tid>\d+)/refund"), self.flw_refund),
            ("POST", re.compile(r"/v1/orders"), self.rzp_order),
            ("POST", re.compile(r"/v1/payments/create/upi"), self.rzp_create_upi),
            ("POST", re.compile(r"/v1/payments/(?P<pid>pay_\w+)/refund"), self.rzp_refund),
            ("GET", re.compile(r"/v1/payments/(?P<pid>pay_\w+)"), self.rzp_payment),
            ("GET", re.compile(r"/__sandbox__/requests"), self.ctl_requests),
            ("GET", re.compile(r"/__sandbox__/callbacks"), self.ctl_callbacks),
            ("POST", re.compile(r"/__sandbox__/callbacks/(?P<cid>\d+)/deliver"), self.ctl_deliver),
            ("POST", re.compile(r"/__sandbox__/scenario"), self.ctl_scenario),
            ("POST", re.compile(r"/__sandbox__/reset"), self.ctl_reset),
            ("GET", re.compile(r"/__sandbox__/credentials"), self.ctl_credentials),
            ("POST", re.compile(r"/__sandbox__/webhooks"), self.ctl_webhooks),
            ("POST", re.compile(r"/__sandbox__/mpesa/c2b"), self.ctl_c2b),
            ("POST", re.compile(r"/__sandbox__/mpesa/b2c-balance"), self.ctl_b2c_balance),
            ("POST", re.compile(r"/__sandbox__/card/pay"), self.ctl_card_pay),
            ("GET", re.compile(r"/__sandbox__/card/checkout/(?P<ref>[^/]+)"), self.card_page),
            ("POST", re.compile(r"/__sandbox__/card/checkout/(?P<ref>[^/]+)"), self.card_page_post),
        ]
        self._reset_state()

    def _reset_state(self) -> None:
        with self._lock:
            for timer in self._timers:
                timer.cancel()
            self._timers = []
            self.requests: list[dict[str, Any]] = []
            self.callbacks: list[dict[str, Any]] = []
            self.scenarios: dict[str, int] = {}
            self.webhook_urls: dict[str, str] = dict(self._initial_webhooks)
            self.daraja_current: dict[str, str] = {}  # consumer key -> the one valid token
            self.daraja_tokens: dict[str, tuple[str, float]] = {}
            self.stk: dict[str, dict[str, Any]] = {}
            self.mpesa_receipts: dict[str, dict[str, Any]] = {}
            self.c2b_urls: dict[str, dict[str, str]] = {}
            self.b2c_balance = B2C_OPENING_BALANCE
            self.b2c: dict[str, dict[str, Any]] = {}  # payouts by ConversationID
            self.airtel_tokens: dict[str, float] = {}
            self.airtel: dict[str, dict[str, Any]] = {}
            self.card: dict[str, dict[str, Any]] = {}  # by tx_ref
            self.card_ids: dict[int, str] = {}
            self.rzp_orders: dict[str, dict[str, Any]] = {}
            self.rzp_payments: dict[str, dict[str, Any]] = {}
            self._ids = itertools.count(1)
            self._card_ids = itertools.count(7_000_001)

    # --- WSGI -----------------------------------------------------------------------------

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {
            key[5:].replace("_", "-").lower(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        query = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        request = Request(
            environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/"), query, headers, body
        )
        if not request.path.startswith("/__sandbox__/"):
            with self._lock:
                self.requests.append(
                    {
                        "method": request.method,
                        "path": request.path,
                        "query": query,
                        "headers": headers,
                        "body": body.decode("utf-8", "replace"),
                    }
                )
        response = self._dispatch(request)
        status = f"{response.status} {STATUS_TEXT.get(response.status, 'Status')}"
        start_response(
            status,
            [
                ("Content-Type", response.content_type),
                ("Content-Length", str(len(response.body))),
                *response.headers,
            ],
        )
        return [response.body]

    def _dispatch(self, request: Request) -> Response:
        allowed = False
        for method, pattern, handler in self._routes:
            match = pattern.fullmatch(request.path)
            if match:
                if method != request.method:
                    allowed = True
                    continue
                try:
                    return handler(request, **match.groupdict())
                except Exception as exc:  # a fake provider still answers like a server
                    return reply(500, {"error": f"sandbox failure: {exc!r}"})
        return reply(405 if allowed else 404, {"error": "no such endpoint in the sandbox"})

    # --- shared helpers ---------------------------------------------------------------------

    def scenario_for(self, payer: str) -> tuple[int, Scenario]:
        with self._lock:
            if payer in self.scenarios:
                number = self.scenarios[payer]
                return number, SCENARIOS.get(number, SUCCESS)
        if payer.startswith("failure@"):  # Razorpay's documented failing test VPA
            return 1, SCENARIOS[1]
        digits = [ch for ch in payer if ch.isdigit()]
        number = int(digits[-1]) if digits else 0
        return number, SCENARIOS.get(number, SUCCESS)

    def emit(
        self,
        provider: str,
        kind: str,
        url: str,
        body: bytes,
        headers: dict[str, str],
        *,
        sync: bool = False,
    ) -> dict[str, Any]:
        """Records a callback and, when delivering, posts it (later, or now when ``sync``)."""
        with self._lock:
            record: dict[str, Any] = {
                "id": next(self._ids),
                "provider": provider,
                "kind": kind,
                "url": url,
                "headers": {"Content-Type": JSON_TYPE, **headers},
                "body": body.decode(),
                "status": "recorded",
                "response_status": None,
                "response_body": None,
            }
            self.callbacks.append(record)
            if self.deliver and url and not sync:
                record["status"] = "scheduled"
                timer = threading.Timer(self.callback_delay, self._deliver, (record["id"],))
                timer.daemon = True
                self._timers.append(timer)
                timer.start()
        if self.deliver and url and sync:
            self._deliver(record["id"])
        return record

    def _deliver(self, callback_id: int) -> dict[str, Any]:
        with self._lock:
            record = next(r for r in self.callbacks if r["id"] == callback_id)
            url, headers, body = record["url"], dict(record["headers"]), record["body"].encode()
        url, headers = _loopback(url, headers)
        try:
            response = httpx.post(url, content=body, headers=headers, timeout=10.0)
            outcome = {
                "status": "delivered",
                "response_status": response.status_code,
                "response_body": response.text[:2000],
            }
        except httpx.HTTPError as exc:
            outcome = {"status": "failed", "response_status": None, "response_body": repr(exc)}
        with self._lock:
            record.update(outcome)
            return dict(record)

    def credentials_for(self, provider: str) -> Credentials:
        with self._lock:
            return Credentials(base_url=self.base_url, values=dict(self.creds[provider]))

    # --- M-Pesa Daraja ----------------------------------------------------------------------

    def daraja_token(self, request: Request) -> Response:
        if request.query.get("grant_type") != "client_credentials":
            return daraja_error(400, "400.008.02", "Invalid grant type passed")
        auth = request.basic_auth()
        creds = self.creds["mpesa"]
        if auth is None or auth != (creds["consumer_key"], creds["consumer_secret"]):
            return daraja_error(400, "400.008.01", "Invalid Authentication passed")
        token = _random("", 28, string.ascii_letters + string.digits)
        with self._lock:
            # Daraja keeps one live token per app: issuing a new one kills the previous.
            old = self.daraja_current.get(auth[0])
            if old:
                self.daraja_tokens.pop(old, None)
            self.daraja_current[auth[0]] = token
            self.daraja_tokens[token] = (auth[0], time.monotonic() + 3599)
        return reply(200, {"access_token": token, "expires_in": "3599"})

    def _daraja_guard(self, request: Request) -> tuple[dict[str, Any] | None, Response | None]:
        with self._lock:
            entry = self.daraja_tokens.get(request.bearer())
        if entry is None or entry[1] < time.monotonic():
            return None, daraja_error(404, "404.001.03", "Invalid Access Token")
        if request.content_type != JSON_TYPE:
            # What Daraja really answers to a form-encoded body.
            return None, bad_request("BusinessShortCode")
        body = request.json()
        if not isinstance(body, dict):
            return None, bad_request("JSON")
        return body, None

    def _check_password(self, body: dict[str, Any]) -> Response | None:
        creds = self.creds["mpesa"]
        if str(body.get("BusinessShortCode")) != creds["shortcode"]:
            return bad_request("BusinessShortCode")
        timestamp = str(body.get("Timestamp", ""))
        if not TIMESTAMP.fullmatch(timestamp):
            return bad_request("Timestamp")
        expected = base64.b64encode(
            f"{creds['shortcode']}{creds['passkey']}{timestamp}".encode()
        ).decode()
        if not hmac.compare_digest(str(body.get("Password", "")), expected):
            return daraja_error(500, "500.001.1001", "Wrong credentials")
        return None

    def daraja_stk_push(self, request: Request) -> Response:
        body, error = self._daraja_guard(request)
        if error or body is None:
            return error or bad_request("JSON")
        error = self._check_password(body)
        if error:
            return error
        amount = body.get("Amount")
        if (
            isinstance(amount, bool)
            or not isinstance(amount, int | str)
            or not str(amount).isdigit()
            or int(amount) < 1
        ):
            return bad_request("Amount")
        for name in ("PartyA", "PhoneNumber"):
            if not PHONE.fullmatch(str(body.get(name, ""))):
                return bad_request(name)
        if not URL.fullmatch(str(body.get("CallBackURL", ""))):
            return bad_request("CallBackURL")
        reference = body.get("AccountReference")
        if not isinstance(reference, str) or not 0 < len(reference) <= 12:
            return bad_request("AccountReference")
        description = body.get("TransactionDesc")
        if not isinstance(description, str) or not 0 < len(description) <= 13:
            return bad_request("TransactionDesc")
        transaction_type = body.get("TransactionType")
        if transaction_type not in ("CustomerPayBillOnline", "CustomerBuyGoodsOnline"):
            return bad_request("TransactionType")
        creds = self.creds["mpesa"]
        expected_b = (
            creds["shortcode"]
            if transaction_type == "CustomerPayBillOnline"
            else (creds.get("party_b", ""))
        )
        number, scenario = self.scenario_for(str(body["PhoneNumber"]))
        if str(body.get("PartyB")) != expected_b:
            scenario = Scenario("bad PartyB", "2028", ("2028",))
        merchant_id = f"{secrets.randbelow(90000) + 10000}-{secrets.randbelow(9 * 10**7) + 10**7}-1"
        checkout_id = (
            "ws_CO_"
            + datetime.now(tz=NAIROBI).strftime("%d%m%Y%H%M%S")
            + _random("", 12, string.digits)
        )
        receipt = _random("SBX", 7) if scenario.paid else ""
        with self._lock:
            self.stk[checkout_id] = {
                "merchant_id": merchant_id,
                "scenario": scenario,
                "number": number,
                "queries": 0,
                "amount": int(amount),
                "phone": str(body["PhoneNumber"]),
                "receipt": receipt,
                "callback_url": body["CallBackURL"],
                "account_reference": reference,
            }
            if receipt:
                self.mpesa_receipts[receipt] = {"amount": int(amount), "reversed": False}
        if scenario.callback is not None:
            self.emit(
                "mpesa",
                "stk",
                str(body["CallBackURL"]),
                dumps(self._stk_callback(checkout_id, scenario.callback)),
                {},
            )
        message = "Success. Request accepted for processing"
        return reply(
            200,
            {
                "MerchantRequestID": merchant_id,
                "CheckoutRequestID": checkout_id,
                "ResponseCode": "0",
                "ResponseDescription": message,
                "CustomerMessage": message,
            },
        )

    def _stk_callback(self, checkout_id: str, code: str) -> dict[str, Any]:
        with self._lock:
            stk = self.stk[checkout_id]
        callback: dict[str, Any] = {
            "MerchantRequestID": stk["merchant_id"],
            "CheckoutRequestID": checkout_id,
            "ResultCode": int(code),
            "ResultDesc": RESULT_DESCRIPTIONS.get(code, "Failed"),
        }
        if code == "0":
            callback["CallbackMetadata"] = {
                "Item": [
                    {"Name": "Amount", "Value": stk["amount"]},
                    {"Name": "MpesaReceiptNumber", "Value": stk["receipt"]},
                    {"Name": "Balance"},
                    {
                        "Name": "TransactionDate",
                        "Value": int(datetime.now(tz=NAIROBI).strftime("%Y%m%d%H%M%S")),
                    },
                    {"Name": "PhoneNumber", "Value": int(stk["phone"])},
                ]
            }
        return {"Body": {"stkCallback": callback}}

    def daraja_stk_query(self, request: Request) -> Response:
        body, error = self._daraja_guard(request)
        if error or body is None:
            return error or bad_request("JSON")
        error = self._check_password(body)
        if error:
            return error
        checkout_id = str(body.get("CheckoutRequestID", ""))
        with self._lock:
            stk = self.stk.get(checkout_id)
            if stk is None:
                return bad_request("CheckoutRequestID")
            answer = stk["scenario"].query_answer(stk["queries"])
            stk["queries"] += 1
        if answer == PROCESSING:
            return daraja_error(500, "500.001.1001", "The transaction is being processed")
        return reply(
            200,
            {
                "ResponseCode": "0",
                "ResponseDescription": "The service request has been accepted successsfully",
                "MerchantRequestID": stk["merchant_id"],
                "CheckoutRequestID": checkout_id,
                "ResultCode": answer,
                "ResultDesc": RESULT_DESCRIPTIONS.get(answer, "Failed"),
            },
        )

    def daraja_register_c2b(self, request: Request) -> Response:
        body, error = self._daraja_guard(request)
        if error or body is None:
            return error or bad_request("JSON")
        if str(body.get("ShortCode")) != self.creds["mpesa"]["shortcode"]:
            return bad_request("ShortCode")
        if body.get("ResponseType") not in ("Completed", "Cancelled"):
            return bad_request("ResponseType")
        for name in ("ConfirmationURL", "ValidationURL"):
            if not URL.fullmatch(str(body.get(name, ""))):
                return bad_request(name)
        with self._lock:
            self.c2b_urls[str(body["ShortCode"])] = {
                "confirmation": body["ConfirmationURL"],
                "validation": body["ValidationURL"],
                "response_type": body["ResponseType"],
            }
        return reply(
            200,
            {
                "OriginatorCoversationID": _random("", 10, string.digits),
                "ResponseCode": "0",
                "ResponseDescription": "Success",
            },
        )

    def simulate_c2b(
        self,
        *,
        amount: Decimal,
        bill_ref: str,
        msisdn: str = "254708374149",
        first_name: str = "John",
        middle_name: str = "",
        last_name: str = "Doe",
        shortcode: str | None = None,
    ) -> dict[str, Any]:
        shortcode = shortcode or self.creds["mpesa"]["shortcode"]
        with self._lock:
            urls = self.c2b_urls.get(shortcode)
        if urls is None:
            return {"accepted": False, "reason": "no URLs registered for this shortcode"}
        trans_id = _random("SBX", 7)
        notice = {
            "TransactionType": "Pay Bill",
            "TransID": trans_id,
            "TransTime": datetime.now(tz=NAIROBI).strftime("%Y%m%d%H%M%S"),
            "TransAmount": f"{amount:.2f}",
            "BusinessShortCode": shortcode,
            "BillRefNumber": bill_ref,
            "InvoiceNumber": "",
            "OrgAccountBalance": "",
            "ThirdPartyTransID": "",
            # Daraja v2 masks the payer's number.
            "MSISDN": msisdn[:6] + "*****" + msisdn[-3:] if len(msisdn) > 9 else msisdn,
            "FirstName": first_name,
            "MiddleName": middle_name,
            "LastName": last_name,
        }
        body = dumps(notice)
        result: dict[str, Any] = {"TransID": trans_id, "accepted": True}
        if urls.get("validation"):
            validation = self.emit(
                "mpesa", "c2b_validation", urls["validation"], body, {}, sync=True
            )
            result["validation"] = validation["id"]
            if validation["status"] == "delivered":
                try:
                    answer = json.loads(validation["response_body"] or "null")
                except ValueError:
                    answer = None
                code = str(answer.get("ResultCode")) if isinstance(answer, dict) else ""
                if code != "0":
                    result.update(accepted=False, reason=f"validation answered {code or '?'}")
                    return result
            elif validation["status"] == "failed" and urls["response_type"] == "Cancelled":
                result.update(accepted=False, reason="validation URL unreachable")
                return result
        with self._lock:
            self.mpesa_receipts[trans_id] = {"amount": amount, "reversed": False}
        confirmation = self.emit(
            "mpesa", "c2b_confirmation", urls["confirmation"], body, {}, sync=True
        )
        result["confirmation"] = confirmation["id"]
        return result

    def daraja_reversal(self, request: Request) -> Response:
        body, error = self._daraja_guard(request)
        if error or body is None:
            return error or bad_request("JSON")
        if body.get("CommandID") != "TransactionReversal":
            return bad_request("CommandID")
        if not body.get("RecieverIdentifierType"):
            return bad_request("RecieverIdentifierType")
        if str(body.get("ReceiverParty")) != self.creds["mpesa"]["shortcode"]:
            return bad_request("ReceiverParty")
        result_url = str(body.get("ResultURL", ""))
        if not URL.fullmatch(result_url):
            return bad_request("ResultURL")
        creds = self.creds["mpesa"]
        try:
            password = self.keys.decrypt_credential(str(body.get("SecurityCredential", "")))
        except ValueError:
            password = None
        receipt = str(body.get("TransactionID", ""))
        with self._lock:
            known = self.mpesa_receipts.get(receipt)
            if (
                body.get("Initiator") != creds["initiator_name"]
                or password != creds["initiator_password"]
            ):
                code, desc = "2001", "The initiator information is invalid."
            elif known is None:
                code, desc = "R000002", "The OriginalTransactionID is invalid."
            elif known["reversed"]:
                code, desc = "R000001", "The transaction has already been reversed."
            else:
                known["reversed"] = True
                code, desc = "0", "The service request is processed successfully."
        conversation = _random(
            "AG_" + datetime.now(tz=NAIROBI).strftime("%Y%m%d") + "_",
            20,
            string.ascii_lowercase + string.digits,
        )
        originator = _random("", 20, string.ascii_lowercase + string.digits)
        result = {
            "Result": {
                "ResultType": 0,
                "ResultCode": int(code) if code.isdigit() else code,
                "ResultDesc": desc,
                "OriginatorConversationID": originator,
                "ConversationID": conversation,
                "TransactionID": _random("SBR", 7),
                "ResultParameters": {
                    "ResultParameter": [
                        {"Key": "Amount", "Value": body.get("Amount")},
                        {"Key": "OriginalTransactionID", "Value": receipt},
                    ]
                },
                "ReferenceData": {
                    "ReferenceItem": {
                        "Key": "QueueTimeoutURL",
                        "Value": body.get("QueueTimeOutURL"),
                    }
                },
            }
        }
        self.emit("mpesa", "reversal_result", result_url, dumps(result), {})
        return reply(
            200,
            {
                "OriginatorConversationID": originator,
                "ConversationID": conversation,
                "ResponseCode": "0",
                "ResponseDescription": "Accept the service request successfully.",
            },
        )

    def daraja_b2c(self, request: Request, version: str) -> Response:
        """A B2C payment request: checked like Daraja does at once (fields), then answered
        later by a Result to ResultURL (initiator, balance)."""
        body, error = self._daraja_guard(request)
        if error or body is None:
            return error or bad_request("JSON")
        creds = self.creds["mpesa"]
        originator = body.get("OriginatorConversationID")
        if version == "v3" and (not isinstance(originator, str) or not originator):
            return bad_request("OriginatorConversationID")
        if body.get("CommandID") not in B2C_COMMANDS:
            return bad_request("CommandID")
        amount = body.get("Amount")
        if (
            isinstance(amount, bool)
            or not isinstance(amount, int | str)
            or not str(amount).isdigit()
            or int(amount) < 1
        ):
            return bad_request("Amount")
        if str(body.get("PartyA")) != creds.get("b2c_shortcode"):
            return bad_request("PartyA")
        party_b = str(body.get("PartyB", ""))
        if not PHONE.fullmatch(party_b):
            return bad_request("PartyB")
        for name in ("ResultURL", "QueueTimeOutURL"):
            if not URL.fullmatch(str(body.get(name, ""))):
                return bad_request(name)
        if not isinstance(body.get("Remarks"), str) or not 0 < len(body["Remarks"]) <= 100:
            return bad_request("Remarks")
        try:
            password = self.keys.decrypt_credential(str(body.get("SecurityCredential", "")))
        except ValueError:
            password = None
        value = Decimal(int(amount))
        receipt = ""
        with self._lock:
            if (
                body.get("InitiatorName") != creds["initiator_name"]
                or password != creds["initiator_password"]
            ):
                code = "2001"
            elif value > self.b2c_balance:
                code = "1"
            else:
                code = "0"
                self.b2c_balance -= value
                receipt = _random("SBC", 7)
                self.mpesa_receipts[receipt] = {"amount": value, "reversed": False}
            balance = self.b2c_balance
        conversation = _random(
            "AG_" + datetime.now(tz=NAIROBI).strftime("%Y%m%d") + "_",
            20,
            string.ascii_lowercase + string.digits,
        )
        if not isinstance(originator, str) or not originator:
            originator = _random("", 20, string.ascii_lowercase + string.digits)
        result: dict[str, Any] = {
            "ResultType": 0,
            "ResultCode": int(code),
            "ResultDesc": RESULT_DESCRIPTIONS[code],
            "OriginatorConversationID": originator,
            "ConversationID": conversation,
            "TransactionID": receipt or _random("SBF", 7),
        }
        if code == "0":
            result["ResultParameters"] = {
                "ResultParameter": [
                    {"Key": "TransactionAmount", "Value": int(amount)},
                    {"Key": "TransactionReceipt", "Value": receipt},
                    {"Key": "B2CRecipientIsRegisteredCustomer", "Value": "Y"},
                    {"Key": "B2CChargesPaidAccountAvailableFunds", "Value": 0},
                    {"Key": "ReceiverPartyPublicName", "Value": f"{party_b} - John Doe"},
                    {
                        "Key": "TransactionCompletedDateTime",
                        "Value": datetime.now(tz=NAIROBI).strftime("%d.%m.%Y %H:%M:%S"),
                    },
                    {"Key": "B2CUtilityAccountAvailableFunds", "Value": balance},
                    {"Key": "B2CWorkingAccountAvailableFunds", "Value": 0},
                ]
            }
        result["ReferenceData"] = {
            "ReferenceItem": {"Key": "QueueTimeoutURL", "Value": body.get("QueueTimeOutURL")}
        }
        with self._lock:
            self.b2c[conversation] = {
                "amount": int(amount),
                "party_b": party_b,
                "code": code,
                "receipt": receipt,
            }
        self.emit("mpesa", "b2c_result", str(body["ResultURL"]), dumps({"Result": result}), {})
        return reply(
            200,
            {
                "ConversationID": conversation,
                "OriginatorConversationID": originator,
                "ResponseCode": "0",
                "ResponseDescription": "Accept the service request successfully.",
            },
        )

    # --- Airtel Money ---------------------------------------------------------------------

    @staticmethod
    def _airtel_status(
        success: bool,
        code: str,
        message: str,
        response_code: str = "",
    ) -> dict[str, Any]:
        status: dict[str, Any] = {
            "code": code,
            "message": message,
            "success": success,
            "result_code": "ESB000010" if success else "ESB000001",
        }
        if response_code:
            status["response_code"] = response_code
        return status

    def airtel_token(self, request: Request) -> Response:
        body = request.json()
        creds = self.creds["airtel"]
        if (
            request.content_type != JSON_TYPE
            or not isinstance(body, dict)
            or body.get("grant_type") != "client_credentials"
            or (body.get("client_id"), body.get("client_secret"))
            != (creds["client_id"], creds["client_secret"])
        ):
            return reply(
                401,
                {"error": "invalid_client", "error_description": "Client authentication failed"},
            )
        token = _random("", 32, string.ascii_letters + string.digits)
        with self._lock:
            self.airtel_tokens[token] = time.monotonic() + 180
        return reply(200, {"access_token": token, "expires_in": "180", "token_type": "bearer"})

    def _airtel_guard(self, request: Request, *, needs_body: bool) -> tuple[Any, Response | None]:
        with self._lock:
            expiry = self.airtel_tokens.get(request.bearer())
        if expiry is None or expiry < time.monotonic():
            return None, reply(401, {"status": self._airtel_status(False, "401", "Invalid token")})
        creds = self.creds["airtel"]
        if (
            request.headers.get("x-country") != creds["country"]
            or request.headers.get("x-currency") != creds["currency"]
        ):
            return None, reply(
                400,
                {
                    "status": self._airtel_status(
                        False, "400", "X-Country or X-Currency is not this merchant's"
                    )
                },
            )
        if not needs_body:
            return None, None
        body = request.json()
        if request.content_type != JSON_TYPE or not isinstance(body, dict):
            return None, reply(
                400, {"status": self._airtel_status(False, "400", "Invalid request body")}
            )
        return body, None

    def airtel_collect(self, request: Request) -> Response:
        body, error = self._airtel_guard(request, needs_body=True)
        if error:
            return error
        creds = self.creds["airtel"]
        subscriber = _obj(body.get("subscriber"))
        transaction = _obj(body.get("transaction"))
        msisdn = str(subscriber.get("msisdn", ""))
        amount = _amount(transaction.get("amount"))
        tid = transaction.get("id")

        def refuse(message: str) -> Response:
            return reply(400, {"status": self._airtel_status(False, "400", message)})

        # Airtel wants the number without the country code.
        if not msisdn.isdigit() or msisdn.startswith(creds["country_code"]) or len(msisdn) != 9:
            return refuse("Invalid MSISDN")
        if amount is None or amount <= 0:
            return refuse("Invalid amount")
        if (
            transaction.get("currency") != creds["currency"]
            or transaction.get("country") != creds["country"]
        ):
            return refuse("Invalid country or currency")
        if not isinstance(tid, str) or not tid:
            return refuse("Invalid transaction id")
        _number, scenario = self.scenario_for(msisdn)
        with self._lock:
            if tid in self.airtel:
                return refuse("Duplicate transaction id")
            self.airtel[tid] = {
                "scenario": scenario,
                "queries": 0,
                "amount": amount,
                "msisdn": msisdn,
                "money_id": _random("MP", 10, string.digits),
                "refunded": False,
            }
        if scenario.callback is not None and scenario.callback != "1037":
            self._airtel_callback(tid, scenario.callback)
        return reply(
            200,
            {
                "data": {"transaction": {"id": tid, "status": "Success."}},
                "status": self._airtel_status(True, "200", "Success.", "DP00800001006"),
            },
        )

    def _airtel_callback(self, tid: str, code: str) -> None:
        status, _response_code, message = AIRTEL_STATUS.get(code, AIRTEL_STATUS["1032"])
        with self._lock:
            entry = self.airtel[tid]
            secret = self.creds["airtel"].get("callback_secret", "")
            url = self.webhook_urls.get("airtel", "")
        transaction = {
            "id": tid,
            "message": message,
            "status_code": status,
            "airtel_money_id": entry["money_id"] if status == "TS" else "",
        }
        payload: dict[str, Any] = {"transaction": transaction}
        if secret:
            digest = hmac.new(
                secret.encode(),
                json.dumps(transaction, separators=(",", ":")).encode(),
                hashlib.sha256,
            ).digest()
            payload["hash"] = base64.b64encode(digest).decode()
        self.emit("airtel", "collection", url, dumps(payload), {})

    def airtel_enquiry(self, request: Request, tid: str) -> Response:
        _body, error = self._airtel_guard(request, needs_body=False)
        if error:
            return error
        with self._lock:
            entry = self.airtel.get(tid)
            if entry is None:
                return reply(
                    404, {"status": self._airtel_status(False, "404", "Transaction not found")}
                )
            scenario: Scenario = entry["scenario"]
            if scenario.callback == "1037":
                # Airtel's version of "no answer": ambiguous first, then settled.
                answer = "1037" if entry["queries"] == 0 else scenario.query_answer(0)
            else:
                answer = scenario.query_answer(entry["queries"])
            entry["queries"] += 1
            if entry["refunded"]:
                answer = "0"
        status, _response_code, message = AIRTEL_STATUS.get(answer, AIRTEL_STATUS["1032"])
        return reply(
            200,
            {
                "data": {
                    "transaction": {
                        "airtel_money_id": entry["money_id"] if status == "TS" else "",
                        "id": tid,
                        "message": message,
                        "status": status,
                    }
                },
                "status": self._airtel_status(True, "200", "SUCCESS"),
            },
        )

    def airtel_refund(self, request: Request) -> Response:
        body, error = self._airtel_guard(request, needs_body=True)
        if error:
            return error
        money_id = str((body.get("transaction") or {}).get("airtel_money_id", ""))
        with self._lock:
            entry = next((e for e in self.airtel.values() if e["money_id"] == money_id), None)
            if entry is None or not entry["scenario"].paid or entry["refunded"]:
                return reply(
                    400,
                    {"status": self._airtel_status(False, "400", "Transaction cannot be refunded")},
                )
            entry["refunded"] = True
        return reply(
            200,
            {
                "data": {"transaction": {"airtel_money_id": money_id, "status": "SUCCESS"}},
                "status": self._airtel_status(True, "200", "SUCCESS"),
            },
        )

    # --- Flutterwave (hosted card) -----------------------------------------------------------

    def _flw_guard(self, request: Request) -> Response | None:
        expected = f"Bearer {self.creds['card']['secret_key']}"
        if not hmac.compare_digest(request.headers.get("authorization", ""), expected):
            return reply(
                401, {"status": "error", "message": "Invalid authorization key", "data": None}
            )
        return None

    @staticmethod
    def _flw_error(message: str, status: int = 400) -> Response:
        return reply(status, {"status": "error", "message": message, "data": None})

    def flw_initiate(self, request: Request) -> Response:
        error = self._flw_guard(request)
        if error:
            return error
        body = request.json()
        if request.content_type != JSON_TYPE or not isinstance(body, dict):
            return self._flw_error("Invalid request body")
        tx_ref = body.get("tx_ref")
        amount = _amount(body.get("amount"))
        customer = _obj(body.get("customer"))
        if not isinstance(tx_ref, str) or not tx_ref:
            return self._flw_error("tx_ref is required")
        if amount is None or amount <= 0:
            return self._flw_error("amount is required")
        if not isinstance(body.get("currency"), str) or not body["currency"]:
            return self._flw_error("currency is required")
        if not URL.fullmatch(str(body.get("redirect_url", ""))):
            return self._flw_error("redirect_url is required")
        if "@" not in str(customer.get("email", "")):
            return self._flw_error("customer.email is required")
        with self._lock:
            if tx_ref in self.card:
                return self._flw_error("Duplicate tx_ref")
            self.card[tx_ref] = {
                "tx_ref": tx_ref,
                "amount": amount,
                "currency": body["currency"],
                "redirect_url": body["redirect_url"],
                "customer": customer,
                "id": None,
                "status": "pending",
                "refunded": Decimal(0),
            }
        return reply(
            200,
            {
                "status": "success",
                "message": "Hosted Link",
                "data": {"link": f"{self.base_url}/__sandbox__/card/checkout/{tx_ref}"},
            },
        )

    def _flw_transaction(self, entry: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": entry["id"],
            "tx_ref": entry["tx_ref"],
            "flw_ref": entry["flw_ref"],
            "amount": entry["paid_amount"],
            "currency": entry["paid_currency"],
            "charged_amount": entry["paid_amount"],
            "app_fee": 0,
            "status": entry["status"],
            "payment_type": "card",
            "processor_response": "Approved" if entry["status"] == "successful" else "Declined",
            "created_at": entry["created_at"],
            "customer": {
                "name": entry["customer"].get("name", ""),
                "email": entry["customer"].get("email", ""),
                "phone_number": entry["customer"].get("phonenumber", ""),
            },
        }

    def pay_card(
        self,
        tx_ref: str,
        result: str = "success",
        *,
        amount: Decimal | None = None,
        currency: str | None = None,
    ) -> dict[str, Any]:
        """The payer finishes the hosted page; ``amount``/``currency`` can make them differ."""
        with self._lock:
            entry = self.card.get(tx_ref)
            if entry is None:
                raise KeyError(tx_ref)
            if entry["id"] is None:
                card_id = next(self._card_ids)
                entry["id"] = card_id
                self.card_ids[card_id] = tx_ref
            entry.update(
                status="successful" if result == "success" else "failed",
                flw_ref=_random("FLW-SBX-", 12),
                paid_amount=amount or entry["amount"],
                paid_currency=currency or entry["currency"],
                created_at=datetime.now(tz=NAIROBI).isoformat(),
            )
            data = self._flw_transaction(entry)
            url = self.webhook_urls.get("card", "")
            hash_ = self.creds["card"]["webhook_hash"]
        payload = {"event": "charge.completed", "data": data}
        self.emit("card", "charge.completed", url, dumps(payload), {"verif-hash": hash_})
        query = urlencode(
            {
                "status": "successful" if result == "success" else "failed",
                "tx_ref": tx_ref,
                "transaction_id": data["id"],
            }
        )
        return {
            "transaction_id": data["id"],
            "status": data["status"],
            "redirect": f"{entry['redirect_url']}?{query}",
        }

    def flw_verify(self, request: Request, tid: str) -> Response:
        error = self._flw_guard(request)
        if error:
            return error
        with self._lock:
            tx_ref = self.card_ids.get(int(tid))
            entry = self.card.get(tx_ref or "")
            data = self._flw_transaction(entry) if entry else None
        if data is None:
            return self._flw_error("No transaction was found for this id")
        return reply(
            200, {"status": "success", "message": "Transaction fetched successfully", "data": data}
        )

    def flw_verify_ref(self, request: Request) -> Response:
        error = self._flw_guard(request)
        if error:
            return error
        with self._lock:
            entry = self.card.get(request.query.get("tx_ref", ""))
            data = self._flw_transaction(entry) if entry and entry["id"] else None
        if data is None:
            return self._flw_error("No transaction was found for this tx_ref")
        return reply(
            200, {"status": "success", "message": "Transaction fetched successfully", "data": data}
        )

    def flw_refund(self, request: Request, tid: str) -> Response:
        error = self._flw_guard(request)
        if error:
            return error
        body = request.json()
        with self._lock:
            entry = self.card.get(self.card_ids.get(int(tid)) or "")
            if entry is None or entry["status"] != "successful":
                return self._flw_error("Transaction cannot be refunded")
            amount = _amount(body.get("amount")) if isinstance(body, dict) else None
            amount = amount or entry["paid_amount"] - entry["refunded"]
            if amount <= 0 or entry["refunded"] + amount > entry["paid_amount"]:
                return self._flw_error("Refund amount exceeds the transaction amount")
            entry["refunded"] += amount
            refund_id = next(self._ids)
        return reply(
            200,
            {
                "status": "success",
                "message": "Transaction refund initiated",
                "data": {
                    "id": refund_id,
                    "tx_id": int(tid),
                    "flw_ref": entry["flw_ref"],
                    "amount_refunded": amount,
                    "status": "completed",
                },
            },
        )

    def card_page(self, request: Request, ref: str) -> Response:
        with self._lock:
            entry = self.card.get(ref)
        if entry is None:
            return Response(404, b"<h1>Unknown payment</h1>", "text/html; charset=utf-8")
        safe = html.escape(ref)
        page = f"""<!doctype html><html><head><meta charset="utf-8">
<title>Sandbox card payment</title></head><body style="font-family:sans-serif;max-width:28em;
margin:3em auto"><h1>Sandbox card payment</h1>
<p>Pay <b>{html.escape(str(entry["currency"]))} {html.escape(str(entry["amount"]))}</b>
for <code>{safe}</code>.</p>
<form method="post"><button name="result" value="success">Pay</button>
<button name="result" value="fail">Decline</button></form></body></html>"""
        return Response(200, page.encode(), "text/html; charset=utf-8")

    def card_page_post(self, request: Request, ref: str) -> Response:
        form = {k: v[-1] for k, v in parse_qs(request.body.decode()).items()}
        try:
            done = self.pay_card(ref, form.get("result", "success"))
        except KeyError:
            return Response(404, b"<h1>Unknown payment</h1>", "text/html; charset=utf-8")
        return Response(302, b"", "text/plain", [("Location", done["redirect"])])

    # --- Razorpay (UPI) ---------------------------------------------------------------------

    def _rzp_guard(self, request: Request, *, needs_body: bool) -> tuple[Any, Response | None]:
        creds = self.creds["upi"]
        if request.basic_auth() != (creds["key_id"], creds["key_secret"]):
            return None, reply(
                401,
                {"error": {"code": "BAD_REQUEST_ERROR", "description": "Authentication failed"}},
            )
        if not needs_body:
            return None, None
        body = request.json()
        if request.content_type != JSON_TYPE or not isinstance(body, dict):
            return None, self._rzp_error("The request body is not valid JSON")
        return body, None

    @staticmethod
    def _rzp_error(description: str, field_name: str | None = None) -> Response:
        return reply(
            400,
            {
                "error": {
                    "code": "BAD_REQUEST_ERROR",
                    "description": description,
                    "source": "business",
                    "step": "payment_initiation",
                    "reason": "input_validation_failed",
                    "field": field_name,
                }
            },
        )

    def rzp_order(self, request: Request) -> Response:
        body, error = self._rzp_guard(request, needs_body=True)
        if error:
            return error
        amount = body.get("amount")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 100:
            return self._rzp_error("The amount must be an integer of at least 100.", "amount")
        if body.get("currency") != "INR":
            return self._rzp_error("The currency must be INR.", "currency")
        if len(str(body.get("receipt", ""))) > 40:
            return self._rzp_error("The receipt may have at most 40 characters.", "receipt")
        order = {
            "id": _random("order_", 14, string.ascii_letters + string.digits),
            "entity": "order",
            "amount": amount,
            "amount_paid": 0,
            "amount_due": amount,
            "currency": "INR",
            "receipt": body.get("receipt"),
            "status": "created",
            "attempts": 0,
            "notes": body.get("notes") or {},
            "created_at": int(time.time()),
        }
        with self._lock:
            self.rzp_orders[order["id"]] = order
        return reply(200, order)

    def rzp_create_upi(self, request: Request) -> Response:
        body, error = self._rzp_guard(request, needs_body=True)
        if error:
            return error
        upi = _obj(body.get("upi"))
        with self._lock:
            order = self.rzp_orders.get(str(body.get("order_id")))
        if order is None:
            return self._rzp_error("The id provided does not exist", "order_id")
        if body.get("amount") != order["amount"] or body.get("currency") != order["currency"]:
            return self._rzp_error("The amount must match the order's.", "amount")
        if body.get("method") != "upi" or upi.get("flow") != "collect":
            return self._rzp_error("Only the UPI collect flow is simulated.", "upi.flow")
        vpa = str(upi.get("vpa", ""))
        if not re.fullmatch(r"[\w.\-]+@[\w.\-]+", vpa):
            return self._rzp_error("Invalid VPA. Please enter a valid VPA.", "vpa")
        if "@" not in str(body.get("email", "")) or not str(body.get("contact", "")):
            return self._rzp_error("The email and contact fields are required.", "contact")
        expiry = upi.get("expiry_time", 5)
        if isinstance(expiry, bool) or not isinstance(expiry, int) or not 5 <= expiry <= 5760:
            return self._rzp_error("expiry_time must be between 5 and 5760 minutes.", "expiry_time")
        _number, scenario = self.scenario_for(vpa)
        payment = {
            "id": _random("pay_", 14, string.ascii_letters + string.digits),
            "entity": "payment",
            "amount": order["amount"],
            "currency": "INR",
            "status": "created",
            "order_id": order["id"],
            "method": "upi",
            "amount_refunded": 0,
            "refund_status": None,
            "captured": False,
            "description": body.get("description"),
            "vpa": vpa,
            "email": body.get("email"),
            "contact": body.get("contact"),
            "notes": body.get("notes") or {},
            "error_code": None,
            "error_description": None,
            "error_reason": None,
            "acquirer_data": {"rrn": None},
            "created_at": int(time.time()),
        }
        with self._lock:
            self.rzp_payments[payment["id"]] = {
                "payment": payment,
                "scenario": scenario,
                "queries": 0,
            }
        if scenario.callback == "0":
            self._rzp_settle(payment["id"], "0")
        elif scenario.callback == "1037":
            # Razorpay's own twist: a failure event, later a capture for the same payment.
            self._rzp_settle(payment["id"], "1032")
            self._rzp_settle(payment["id"], "0")
        elif scenario.callback is not None:
            self._rzp_settle(payment["id"], scenario.callback)
        return reply(200, {"razorpay_payment_id": payment["id"]})

    def _rzp_settle(self, payment_id: str, code: str) -> None:
        with self._lock:
            payment = self.rzp_payments[payment_id]["payment"]
            if code == "0":
                payment.update(
                    status="captured",
                    captured=True,
                    error_code=None,
                    error_description=None,
                    error_reason=None,
                    acquirer_data={"rrn": _random("", 12, string.digits)},
                )
                event = "payment.captured"
            else:
                error_code, reason, description = UPI_FAILURES.get(code, UPI_FAILURES["1032"])
                payment.update(
                    status="failed",
                    error_code=error_code,
                    error_reason=reason,
                    error_description=description,
                )
                event = "payment.failed"
            snapshot = json.loads(dumps(payment))
            url = self.webhook_urls.get("upi", "")
            secret = self.creds["upi"]["webhook_secret"]
        body = dumps(
            {
                "entity": "event",
                "account_id": "acc_DukaSandbox",
                "event": event,
                "contains": ["payment"],
                "payload": {"payment": {"entity": snapshot}},
                "created_at": int(time.time()),
            }
        )
        signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        self.emit(
            "upi",
            event,
            url,
            body,
            {
                "X-Razorpay-Signature": signature,
                "X-Razorpay-Event-Id": _random("evt_", 14, string.ascii_letters + string.digits),
            },
        )

    def rzp_payment(self, request: Request, pid: str) -> Response:
        _body, error = self._rzp_guard(request, needs_body=False)
        if error:
            return error
        with self._lock:
            entry = self.rzp_payments.get(pid)
            if entry is None:
                return self._rzp_error("The id provided does not exist", "id")
            scenario: Scenario = entry["scenario"]
            if scenario.callback is None:
                answer = scenario.query_answer(entry["queries"])
                entry["queries"] += 1
                if answer == "0" and entry["payment"]["status"] == "created":
                    settle = True
                else:
                    settle = False
            else:
                settle = False
        if settle:
            self._rzp_settle(pid, "0")
        with self._lock:
            return reply(200, entry["payment"])

    def rzp_refund(self, request: Request, pid: str) -> Response:
        body, error = self._rzp_guard(request, needs_body=True)
        if error:
            return error
        with self._lock:
            entry = self.rzp_payments.get(pid)
            if entry is None:
                return self._rzp_error("The id provided does not exist", "id")
            payment = entry["payment"]
            amount = body.get("amount", payment["amount"] - payment["amount_refunded"])
            if payment["status"] not in ("captured", "refunded"):
                return self._rzp_error("The payment has not been captured.", "id")
            if (
                isinstance(amount, bool)
                or not isinstance(amount, int)
                or amount <= 0
                or payment["amount_refunded"] + amount > payment["amount"]
            ):
                return self._rzp_error("The refund amount exceeds the payment amount.", "amount")
            payment["amount_refunded"] += amount
            full = payment["amount_refunded"] == payment["amount"]
            payment.update(refund_status="full" if full else "partial")
            if full:
                payment["status"] = "refunded"
        return reply(
            200,
            {
                "id": _random("rfnd_", 14, string.ascii_letters + string.digits),
                "entity": "refund",
                "amount": amount,
                "currency": "INR",
                "payment_id": pid,
                "receipt": body.get("receipt"),
                "notes": body.get("notes") or {},
                "status": "processed",
                "created_at": int(time.time()),
            },
        )

    # --- control endpoints ---------------------------------------------------------------

    def ctl_requests(self, request: Request) -> Response:
        with self._lock:
            return reply(200, {"requests": list(self.requests)})

    def ctl_callbacks(self, request: Request) -> Response:
        with self._lock:
            return reply(200, {"callbacks": [dict(r) for r in self.callbacks]})

    def ctl_deliver(self, request: Request, cid: str) -> Response:
        with self._lock:
            record = next((r for r in self.callbacks if r["id"] == int(cid)), None)
        if record is None or not record["url"]:
            return reply(404, {"error": "no such callback, or it has no URL"})
        return reply(200, self._deliver(int(cid)))

    def ctl_scenario(self, request: Request) -> Response:
        body = request.json()
        if not isinstance(body, dict) or not isinstance(body.get("payer"), str):
            return reply(400, {"error": 'send {"payer": "2547...", "scenario": 0-9|null}'})
        scenario = body.get("scenario")
        with self._lock:
            if scenario is None:
                self.scenarios.pop(body["payer"], None)
            elif isinstance(scenario, int) and scenario in SCENARIOS:
                self.scenarios[body["payer"]] = scenario
            else:
                return reply(400, {"error": f"scenario must be one of {sorted(SCENARIOS)}"})
        return reply(200, {"payer": body["payer"], "scenario": scenario})

    def ctl_reset(self, request: Request) -> Response:
        self._reset_state()
        return reply(200, {"reset": True})

    def ctl_credentials(self, request: Request) -> Response:
        with self._lock:
            return reply(
                200,
                {
                    name: {"base_url": self.base_url, "values": values}
                    for name, values in self.creds.items()
                },
            )

    def ctl_webhooks(self, request: Request) -> Response:
        body = request.json()
        if not isinstance(body, dict) or body.get("provider") not in ("airtel", "card", "upi"):
            return reply(400, {"error": 'send {"provider": airtel|card|upi, "url": ...}'})
        with self._lock:
            self.webhook_urls[body["provider"]] = str(body.get("url") or "")
        return reply(200, {"provider": body["provider"], "url": body.get("url")})

    def ctl_c2b(self, request: Request) -> Response:
        body = request.json()
        amount = _amount(body.get("amount")) if isinstance(body, dict) else None
        if not isinstance(body, dict) or amount is None or amount <= 0:
            return reply(400, {"error": 'send {"amount", "bill_ref", "msisdn"?}'})
        result = self.simulate_c2b(
            amount=amount,
            bill_ref=str(body.get("bill_ref", "")),
            msisdn=str(body.get("msisdn") or "254708374149"),
            first_name=str(body.get("first_name") or "John"),
            middle_name=str(body.get("middle_name") or ""),
            last_name=str(body.get("last_name") or "Doe"),
            shortcode=body.get("shortcode"),
        )
        return reply(200, result)

    def ctl_b2c_balance(self, request: Request) -> Response:
        body = request.json()
        balance = _amount(body.get("balance")) if isinstance(body, dict) else None
        if balance is None or not balance.is_finite() or balance < 0:
            return reply(400, {"error": 'send {"balance": "500"}'})
        with self._lock:
            self.b2c_balance = balance
        return reply(200, {"balance": balance})

    def ctl_card_pay(self, request: Request) -> Response:
        body = request.json()
        if not isinstance(body, dict) or not isinstance(body.get("tx_ref"), str):
            return reply(400, {"error": 'send {"tx_ref", "result": success|fail}'})
        try:
            done = self.pay_card(
                body["tx_ref"],
                str(body.get("result", "success")),
                amount=_amount(body.get("amount")),
                currency=body.get("currency"),
            )
        except KeyError:
            return reply(404, {"error": "no such tx_ref"})
        return reply(200, done)

    def stop_timers(self) -> None:
        with self._lock:
            for timer in self._timers:
                timer.cancel()


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        # The sandbox keeps its own request log; stderr noise would drown test output.
        pass


class Sandbox:
    """A running sandbox: its URL, its recorded traffic, and knobs for tests."""

    def __init__(self, app: SandboxApp, server: WSGIServer, thread: threading.Thread) -> None:
        self.app = app
        self._server = server
        self._thread = thread
        host, port = server.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else str(host)
        self.port = int(port)
        self.url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}"  # noqa: S104
        app.base_url = self.url
        # A sandbox this process started is the platform's own: the server may call it.
        destinations.sandbox_trust(self.url)

    def stop(self) -> None:
        destinations.sandbox_forget(self.url)
        self.app.stop_timers()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def credentials(self, provider: str) -> Credentials:
        return self.app.credentials_for(provider)

    def requests(self, path: str | None = None) -> list[dict[str, Any]]:
        with self.app._lock:
            return [dict(r) for r in self.app.requests if path is None or r["path"] == path]

    def callbacks(
        self, provider: str | None = None, kind: str | None = None
    ) -> list[dict[str, Any]]:
        with self.app._lock:
            return [
                dict(r)
                for r in self.app.callbacks
                if (provider is None or r["provider"] == provider)
                and (kind is None or r["kind"] == kind)
            ]

    def set_scenario(self, payer: str, scenario: int | None) -> None:
        with self.app._lock:
            if scenario is None:
                self.app.scenarios.pop(payer, None)
            else:
                self.app.scenarios[payer] = scenario

    def set_webhook_url(self, provider: str, url: str) -> None:
        with self.app._lock:
            self.app.webhook_urls[provider] = url

    def reset(self) -> None:
        self.app._reset_state()

    def pay_card(
        self,
        tx_ref: str,
        result: str = "success",
        *,
        amount: Decimal | None = None,
        currency: str | None = None,
    ) -> dict[str, Any]:
        return self.app.pay_card(tx_ref, result, amount=amount, currency=currency)

    def simulate_c2b(self, **kwargs: Any) -> dict[str, Any]:
        return self.app.simulate_c2b(**kwargs)

    def set_b2c_balance(self, balance: Decimal) -> None:
        """Payouts above this fail with ResultCode 1 (insufficient balance)."""
        with self.app._lock:
            self.app.b2c_balance = Decimal(balance)

    @property
    def b2c_balance(self) -> Decimal:
        with self.app._lock:
            return self.app.b2c_balance

    def decrypt_credential(self, security_credential: str) -> str:
        return self.app.keys.decrypt_credential(security_credential)


def start_sandbox(
    port: int = 0,
    *,
    host: str = "127.0.0.1",
    deliver: bool = True,
    callback_delay: float = 2.0,
    credentials: dict[str, dict[str, str]] | None = None,
    webhook_urls: dict[str, str] | None = None,
) -> Sandbox:
    """Serves a fresh sandbox from a background thread; ``port=0`` picks a free port."""
    app = SandboxApp(
        deliver=deliver,
        callback_delay=callback_delay,
        credentials=credentials,
        webhook_urls=webhook_urls,
    )
    server = make_server(
        host, port, app, server_class=_ThreadingServer, handler_class=_QuietHandler
    )
    # A short poll keeps stop() quick: tests start and stop one sandbox each.
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name="payments-sandbox",
        daemon=True,
    )
    thread.start()
    return Sandbox(app, server, thread)
