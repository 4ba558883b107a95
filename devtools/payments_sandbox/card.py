"""The hosted card gateway (Flutterwave Standard v3) in the sandbox: the hosted link and its
page, the ``verif-hash`` webhook, verification and refunds."""

from __future__ import annotations

import hmac
import html
import itertools
import re
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlencode

from devtools.payments_sandbox.core import (
    JSON_TYPE,
    NAIROBI,
    URL,
    Request,
    Response,
    Route,
    SandboxCore,
    as_amount,
    as_object,
    dumps,
    random_text,
    reply,
)

CREDENTIALS: dict[str, str] = {
    "secret_key": "FLWSECK_TEST-duka-sandbox-X",
    "webhook_hash": "duka-sandbox-verif-hash",
    "customer_email": "sandbox@duka.test",
}


class CardSandbox(SandboxCore):
    """Flutterwave's endpoints, the hosted payment page, and the card payments by tx_ref."""

    DEFAULT_CREDENTIALS = {"card": CREDENTIALS}

    def _provider_routes(self) -> list[Route]:
        return [
            ("POST", re.compile(r"/v3/payments"), self.flw_initiate),
            ("GET", re.compile(r"/v3/transactions/verify_by_reference"), self.flw_verify_ref),
            ("GET", re.compile(r"/v3/transactions/(?P<tid>\d+)/verify"), self.flw_verify),
            ("POST", re.compile(r"/v3/transactions/(?P<tid>\d+)/refund"), self.flw_refund),
            ("POST", re.compile(r"/__sandbox__/card/pay"), self.ctl_card_pay),
            ("GET", re.compile(r"/__sandbox__/card/checkout/(?P<ref>[^/]+)"), self.card_page),
            ("POST", re.compile(r"/__sandbox__/card/checkout/(?P<ref>[^/]+)"), self.card_page_post),
            *super()._provider_routes(),
        ]

    def _reset_provider_state(self) -> None:
        super()._reset_provider_state()
        self.card: dict[str, dict[str, Any]] = {}  # by tx_ref
        self.card_ids: dict[int, str] = {}
        self._card_ids = itertools.count(7_000_001)

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
        amount = as_amount(body.get("amount"))
        customer = as_object(body.get("customer"))
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
                flw_ref=random_text("FLW-SBX-", 12),
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
            amount = as_amount(body.get("amount")) if isinstance(body, dict) else None
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

    def ctl_card_pay(self, request: Request) -> Response:
        body = request.json()
        if not isinstance(body, dict) or not isinstance(body.get("tx_ref"), str):
            return reply(400, {"error": 'send {"tx_ref", "result": success|fail}'})
        try:
            done = self.pay_card(
                body["tx_ref"],
                str(body.get("result", "success")),
                amount=as_amount(body.get("amount")),
                currency=body.get("currency"),
            )
        except KeyError:
            return reply(404, {"error": "no such tx_ref"})
        return reply(200, done)
