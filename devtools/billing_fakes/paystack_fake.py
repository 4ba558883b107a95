"""A fake Paystack under ``/paystack``: Initialize and Verify Transaction, Charge Authorization,
Refund, customers, a hosted pay page (card or mobile money), the ``{"status", "message",
"data"}`` envelope, amounts in subunits, and webhooks signed with ``x-paystack-signature``
(HMAC-SHA512 of the raw body, keyed by the secret key).

On the pay page, the card ``4084 0840 8408 4081`` (Visa) and the M-Pesa number ``0712 340 123``
save a reusable authorization when the payment succeeds. ``set_authorization_behaviour`` makes
later charges on an authorization decline or pause (the bank wants the payer on the page).
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import html
import itertools
import json
import re
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import parse_qs, unquote, urlencode

from devtools.billing_fakes.core import (
    Delivery,
    GatewayFake,
    Request,
    Response,
    Route,
    random_id,
    reply,
)

CREDENTIALS = {"secret_key": "sk_test_duka_fake_paystack"}

PREFIX = "/paystack"
# What a forger signs with: anything but the secret key.
FORGER_KEY = "sk_test_" + "forger"
BEHAVIOURS = ("succeed", "decline", "pause")
CURRENCIES = ("NGN", "GHS", "ZAR", "KES", "USD", "XOF", "EGP", "RWF")

# What the pay page offers: method → the authorization a successful payment leaves.
METHODS: dict[str, dict[str, Any]] = {
    "card": {
        "bin": "408408",
        "last4": "4081",
        "exp_month": "12",
        "exp_year": "2030",
        "channel": "card",
        "card_type": "visa ",
        "bank": "TEST BANK",
        "country_code": "NG",
        "brand": "visa",
        "account_name": None,
    },
    "mobile_money": {
        "bin": "071234",
        "last4": "0123",
        "exp_month": "12",
        "exp_year": "9999",
        "channel": "mobile_money",
        "card_type": "",
        "bank": "M-PESA",
        "country_code": "KE",
        "brand": "M-PESA",
        "account_name": None,
    },
}

_REFERENCE = re.compile(r"[A-Za-z0-9.=-]+")
_HTML = "text/html; charset=utf-8"


def paystack_signature(body: bytes, secret_key: str) -> str:
    """``x-paystack-signature`` as Paystack computes it."""
    return hmac.new(secret_key.encode(), body, hashlib.sha512).hexdigest()


def _stamp() -> str:
    return datetime.now(tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _fail(status: int, message: str, **extra: Any) -> Response:
    return reply(status, {"status": False, "message": message, **extra})


def _ok(message: str, data: Any) -> Response:
    return reply(200, {"status": True, "message": message, "data": data})


def _subunits(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


class PaystackFake(GatewayFake):
    name: ClassVar[str] = "paystack"

    def __init__(
        self,
        *,
        secret_key: str = CREDENTIALS["secret_key"],
        webhook_url: str = "",
        deliver: bool = True,
    ) -> None:
        super().__init__(secret_key=secret_key, webhook_url=webhook_url, deliver=deliver)

    def _reset_state(self) -> None:
        self.customers: dict[str, dict[str, Any]] = {}  # by customer_code
        self.transactions: dict[str, dict[str, Any]] = {}  # by reference
        self.access_codes: dict[str, str] = {}  # access code → reference
        self.authorizations: dict[str, dict[str, Any]] = {}  # by authorization_code
        self.behaviours: dict[str, tuple[str, str]] = {}  # auth code → (behaviour, reason)
        self.refunds: list[dict[str, Any]] = []
        self._ids = itertools.count(4_099_260_001)

    def routes(self) -> list[Route]:
        return [
            Route("POST", rf"{PREFIX}/transaction/initialize", self.initialize),
            Route("GET", rf"{PREFIX}/transaction/verify/(?P<reference>[^/]*)", self.verify),
            Route("POST", rf"{PREFIX}/transaction/charge_authorization", self.charge_authorization),
            Route("POST", rf"{PREFIX}/refund", self.refund),
            Route("POST", rf"{PREFIX}/customer/?", self.create_customer),
            Route("GET", rf"{PREFIX}/customer/(?P<key>[^/]+)/?", self.get_customer),
            Route("GET", rf"{PREFIX}/checkout/(?P<code>\w+)", self.pay_page, api=False),
            Route("POST", rf"{PREFIX}/checkout/(?P<code>\w+)", self.pay_post, api=False),
        ]

    def unauthorized(self) -> Response:
        return _fail(401, "Invalid key")

    def outage(self, status: int) -> Response:
        return _fail(status, "An error occurred on the fake Paystack.")

    # --- knobs and helpers for tests --------------------------------------------------------------

    def set_authorization_behaviour(
        self, authorization_code: str, behaviour: str, *, reason: str = "Insufficient Funds"
    ) -> None:
        """What later charges on an authorization do: succeed, decline (with ``reason`` as the
        gateway response), or pause (the payer must confirm on the pay page)."""
        if behaviour not in BEHAVIOURS:
            raise ValueError(f"behaviour must be one of {BEHAVIOURS}")
        with self._lock:
            if authorization_code not in self.authorizations:
                raise KeyError(authorization_code)
            self.behaviours[authorization_code] = (behaviour, reason)

    def sign(self, body: bytes, *, secret_key: str | None = None) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "x-paystack-signature": paystack_signature(body, secret_key or self.secret_key),
        }

    def delivery(self, event: str, data: dict[str, Any]) -> Delivery:
        """An event built and signed as Paystack would send it (not put in the outbox)."""
        body = json.dumps({"event": event, "data": copy.deepcopy(data)}).encode()
        return Delivery(body, self.sign(body))

    def forged(self, delivery: Delivery) -> Delivery:
        """The same body signed with a key that is not ours."""
        return Delivery(delivery.body, self.sign(delivery.body, secret_key=FORGER_KEY))

    def events(self, event: str | None = None) -> list[Delivery]:
        with self._lock:
            return [d for d in self.outbox if event in (None, d.json()["event"])]

    def transaction(self, reference: str) -> dict[str, Any]:
        """Paystack's view of a transaction (what Verify answers)."""
        with self._lock:
            return self._view(self.transactions[reference])

    def set_transaction(self, reference: str, **fields: Any) -> None:
        """Changes what Paystack holds for a transaction (status, amount, currency, …): a
        gateway that disagrees with a webhook."""
        with self._lock:
            self.transactions[reference].update(fields)

    # --- customers --------------------------------------------------------------------------------

    def _customer_for(self, email: str, **fields: Any) -> dict[str, Any]:
        """The customer with this e-mail, made if new (as Paystack does); lock held."""
        for customer in self.customers.values():
            if customer["email"] == email.lower():
                return customer
        customer = {
            "id": next(self._ids),
            "customer_code": random_id("CUS_", 15).upper(),
            "email": email.lower(),
            "first_name": fields.get("first_name"),
            "last_name": fields.get("last_name"),
            "phone": fields.get("phone"),
            "metadata": fields.get("metadata") or {},
            "domain": "test",
            "integration": 100032,
            "identified": False,
            "identifications": None,
            "createdAt": _stamp(),
            "updatedAt": _stamp(),
        }
        self.customers[customer["customer_code"]] = customer
        return customer

    def create_customer(self, request: Request) -> Response:
        body = request.json()
        if not isinstance(body, dict) or "@" not in str(body.get("email", "")):
            return _fail(400, "Invalid Email Address Passed")
        with self._lock:
            customer = self._customer_for(
                str(body["email"]), **{k: v for k, v in body.items() if k != "email"}
            )
            return _ok("Customer created", copy.deepcopy(customer))

    def get_customer(self, request: Request, key: str) -> Response:
        key = unquote(key).lower()
        with self._lock:
            for customer in self.customers.values():
                if key in (customer["email"], customer["customer_code"].lower()):
                    found = copy.deepcopy(customer)
                    found["authorizations"] = [
                        self._authorization_view(a)
                        for a in self.authorizations.values()
                        if a["customer_code"] == customer["customer_code"]
                    ]
                    return _ok("Customer retrieved", found)
        return _fail(404, "Customer not found")

    # --- transactions -----------------------------------------------------------------------------

    def _view(self, tx: dict[str, Any]) -> dict[str, Any]:
        customer = self.customers.get(tx["customer_code"], {})
        authorization = self.authorizations.get(tx.get("authorization_code") or "")
        return {
            "id": tx["id"],
            "domain": "test",
            "status": tx["status"],
            "reference": tx["reference"],
            "amount": tx["amount"],
            "requested_amount": tx["amount"],
            "currency": tx["currency"],
            "message": None,
            "gateway_response": tx["gateway_response"],
            "paid_at": tx["paid_at"],
            "paidAt": tx["paid_at"],
            "created_at": tx["created_at"],
            "createdAt": tx["created_at"],
            "transaction_date": tx["created_at"],
            "channel": tx["channel"],
            "ip_address": None,
            "metadata": tx["metadata"],
            "fees": None,
            "plan": None,
            "authorization": self._authorization_view(authorization) if authorization else {},
            "customer": {
                key: customer.get(key)
                for key in ("id", "first_name", "last_name", "email", "customer_code", "phone")
            }
            | {"metadata": customer.get("metadata")},
        }

    @staticmethod
    def _authorization_view(authorization: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in authorization.items() if k != "customer_code"}

    def _requested_transaction(
        self, body: dict[str, Any], customer: dict[str, Any], **fields: Any
    ) -> dict[str, Any]:
        """A new transaction a request (initialize, charge) asks for on ``customer``'s behalf,
        carrying the request's metadata as Paystack does."""
        return self._new_transaction(
            customer_code=customer["customer_code"],
            metadata=body.get("metadata") or {},
            **fields,
        )

    def _new_transaction(self, **fields: Any) -> dict[str, Any]:
        tx = {
            "id": next(self._ids),
            "status": "abandoned",
            "gateway_response": "The transaction was not completed",
            "paid_at": None,
            "created_at": _stamp(),
            "channel": "card",
            "authorization_code": None,
            "callback_url": "",
            "access_code": random_id("", 15).lower(),
            **fields,
        }
        self.transactions[tx["reference"]] = tx
        self.access_codes[tx["access_code"]] = tx["reference"]
        return tx

    def initialize(self, request: Request) -> Response:
        body = request.json()
        if not isinstance(body, dict):
            return _fail(400, "Invalid request body")
        amount = _subunits(body.get("amount"))
        currency = str(body.get("currency") or "NGN")
        reference = str(body.get("reference") or random_id("T", 15))
        if "@" not in str(body.get("email", "")):
            return _fail(400, "Invalid Email Address Passed")
        if amount is None or amount < 1:
            return _fail(400, "Invalid Amount Sent")
        if currency not in CURRENCIES:
            return _fail(400, "Currency not supported by merchant")
        if not _REFERENCE.fullmatch(reference):
            return _fail(400, "Invalid transaction reference")
        with self._lock:
            if reference in self.transactions:
                return _fail(400, "Duplicate Transaction Reference")
            customer = self._customer_for(str(body["email"]))
            tx = self._requested_transaction(
                body,
                customer,
                reference=reference,
                amount=amount,
                currency=currency,
                callback_url=str(body.get("callback_url") or ""),
                channels=list(body.get("channels") or ["card"]),
            )
            access = tx["access_code"]
        return _ok(
            "Authorization URL created",
            {
                "authorization_url": f"{self.base_url}{PREFIX}/checkout/{access}",
                "access_code": access,
                "reference": reference,
            },
        )

    def verify(self, request: Request, reference: str) -> Response:
        with self._lock:
            tx = self.transactions.get(reference)
            if tx is None:
                return _fail(
                    400,
                    "Transaction reference not found",
                    type="validation_error",
                    code="transaction_not_found",
                )
            return _ok("Verification successful", self._view(tx))

    def charge_authorization(self, request: Request) -> Response:
        body = request.json()
        if not isinstance(body, dict):
            return _fail(400, "Invalid request body")
        amount = _subunits(body.get("amount"))
        reference = str(body.get("reference") or random_id("T", 15))
        if amount is None or amount < 1:
            return _fail(400, "Invalid Amount Sent")
        if not _REFERENCE.fullmatch(reference):
            return _fail(400, "Invalid transaction reference")
        with self._lock:
            authorization = self.authorizations.get(str(body.get("authorization_code")))
            if authorization is None:
                return _fail(400, "Invalid authorization code")
            customer = self.customers[authorization["customer_code"]]
            if str(body.get("email", "")).lower() != customer["email"]:
                return _fail(400, "Email does not match Authorization code")
            currency = str(body.get("currency") or "NGN")
            if currency not in CURRENCIES:
                return _fail(400, "Currency not supported by merchant")
            if reference in self.transactions:
                return _fail(400, "Duplicate Transaction Reference")
            tx = self._requested_transaction(
                body,
                customer,
                reference=reference,
                amount=amount,
                currency=currency,
                channel=authorization["channel"],
                authorization_code=authorization["authorization_code"],
            )
            behaviour, reason = self.behaviours.get(
                authorization["authorization_code"], ("succeed", "")
            )
            if behaviour == "pause":
                tx.update(status="pending", gateway_response="Awaiting payer confirmation")
                self._record(tx)
                data = self._view(tx) | {
                    "paused": True,
                    "authorization_url": f"{self.base_url}{PREFIX}/checkout/{tx['access_code']}",
                }
                return _ok("Charge attempted", data)
            if behaviour == "decline":
                tx.update(status="failed", gateway_response=reason)
            else:
                tx.update(status="success", gateway_response="Approved", paid_at=_stamp())
            self._record(tx)
            data = self._view(tx)
        if tx["status"] == "success":
            self.emit(self.delivery("charge.success", data))
        return _ok("Charge attempted", data)

    def _record(self, tx: dict[str, Any]) -> None:
        """Notes a charge attempt (lock held); a later outcome updates the same record."""
        for record in self.charges:
            if record["reference"] == tx["reference"]:
                record["status"] = tx["status"]
                return
        self.charges.append(
            {
                "reference": tx["reference"],
                "amount_minor": tx["amount"],
                "currency": tx["currency"],
                "customer": tx["customer_code"],
                "status": tx["status"],
            }
        )

    def refund(self, request: Request) -> Response:
        body = request.json()
        key = str(body.get("transaction", "")) if isinstance(body, dict) else ""
        with self._lock:
            tx = self.transactions.get(key) or next(
                (t for t in self.transactions.values() if str(t["id"]) == key), None
            )
            if tx is None:
                return _fail(404, "Transaction not found")
            if tx["status"] == "reversed":
                return _fail(400, "Transaction has been fully reversed")
            if tx["status"] != "success":
                return _fail(400, "Cannot refund a transaction that is not successful")
            amount = _subunits(body.get("amount")) or tx["amount"]
            if amount > tx["amount"]:
                return _fail(400, "Refund amount cannot be more than the transaction amount")
            refund = {
                "id": next(self._ids),
                "transaction": {"id": tx["id"], "reference": tx["reference"]},
                "amount": amount,
                "currency": tx["currency"],
                "status": "pending",
                "merchant_note": body.get("merchant_note"),
                "customer_note": body.get("customer_note"),
                "domain": "test",
                "createdAt": _stamp(),
            }
            self.refunds.append(refund)
            tx["status"] = "reversed"
            self._record(tx)
        self.emit(self.delivery("refund.processed", refund | {"status": "processed"}))
        return _ok("Refund has been queued for processing", refund)

    # --- the pay page -----------------------------------------------------------------------------

    def pay(self, access_code: str, *, method: str = "card", result: str = "success") -> str:
        """The payer completes the pay page; where Paystack sends them back."""
        with self._lock:
            reference = self.access_codes.get(access_code)
            if reference is None:
                raise KeyError(access_code)
            tx = self.transactions[reference]
            if tx["status"] not in ("abandoned", "pending"):
                raise ValueError("This transaction is already complete.")
            if tx["authorization_code"] is None:
                if method not in METHODS:
                    raise ValueError(f"method must be one of {tuple(METHODS)}")
                code = "AUTH_" + random_id("", 10).lower()
                self.authorizations[code] = {
                    "authorization_code": code,
                    **METHODS[method],
                    "reusable": True,
                    "signature": random_id("SIG_", 20),
                    "customer_code": tx["customer_code"],
                }
                tx.update(authorization_code=code, channel=METHODS[method]["channel"])
            if result == "success":
                tx.update(status="success", gateway_response="Successful", paid_at=_stamp())
            else:
                tx.update(status="failed", gateway_response="Declined")
            self._record(tx)
            data = self._view(tx)
            callback = tx["callback_url"]
        if result == "success":
            self.emit(self.delivery("charge.success", data))
        query = urlencode({"trxref": reference, "reference": reference})
        return f"{callback}?{query}" if callback else ""

    def pay_page(self, request: Request, code: str, error: str = "") -> Response:
        with self._lock:
            reference = self.access_codes.get(code)
            tx = copy.deepcopy(self.transactions.get(reference or ""))
        if tx is None:
            return Response(404, b"<h1>This payment does not exist.</h1>", _HTML)
        amount = f"{tx['currency']} {tx['amount'] / 100:.2f}"
        choose = (
            ""
            if tx["authorization_code"]
            else (
                '<label><input type="radio" name="method" value="card" checked> Card 4084 0840 '
                "8408 4081 (Visa)</label><br>"
                '<label><input type="radio" name="method" value="mobile_money"> M-Pesa 0712 340 '
                "123</label><br>"
            )
        )
        warning = f'<p role="alert">{html.escape(error)}</p>' if error else ""
        page = f"""<!doctype html><html><head><meta charset="utf-8">
<title>Fake Paystack</title></head><body style="font-family:sans-serif;max-width:32em;
margin:3em auto"><h1>Pay {html.escape(amount)}</h1><p>Reference <code>{html.escape(tx["reference"])}
</code> · status {html.escape(tx["status"])}</p>{warning}<form method="post">{choose}
<button name="result" value="success">Pay</button>
<button name="result" value="failed">Fail</button></form></body></html>"""
        return Response(400 if error else 200, page.encode(), _HTML)

    def pay_post(self, request: Request, code: str) -> Response:
        form = {k: v[-1] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
        try:
            target = self.pay(
                code, method=form.get("method", "card"), result=form.get("result", "success")
            )
        except KeyError:
            return Response(404, b"<h1>This payment does not exist.</h1>", _HTML)
        except ValueError as exc:
            return self.pay_page(request, code, error=str(exc))
        if not target:
            return Response(200, b"<h1>Done. You may close this page.</h1>", _HTML)
        return Response(302, b"", _HTML, [("Location", target)])


__all__ = ["BEHAVIOURS", "CREDENTIALS", "METHODS", "PaystackFake", "paystack_signature"]
