"""UPI through Razorpay in the sandbox: orders, the UPI collect flow and its signed webhooks,
payment fetch and refunds."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import string
import time
from typing import Any

from devtools.payments_sandbox.core import (
    JSON_TYPE,
    Request,
    Response,
    Route,
    SandboxCore,
    Scenario,
    as_object,
    dumps,
    random_text,
    reply,
)

CREDENTIALS: dict[str, str] = {
    "key_id": "rzp_test_dukasandbox",
    "key_secret": "duka-sandbox-razorpay-secret",
    "webhook_secret": "duka-sandbox-razorpay-webhook",
    "contact": "9000090000",
    "email": "sandbox@duka.test",
}

# Razorpay: (error code, reason, description) for the failures.
UPI_FAILURES = {
    "1032": ("BAD_REQUEST_ERROR", "payment_cancelled", "Payment was cancelled by the customer."),
    "1": ("BAD_REQUEST_ERROR", "insufficient_funds", "The customer's account has no funds."),
    "2001": ("BAD_REQUEST_ERROR", "incorrect_pin", "The customer entered a wrong UPI PIN."),
}


class UpiSandbox(SandboxCore):
    """Razorpay's endpoints, its orders and payments."""

    DEFAULT_CREDENTIALS = {"upi": CREDENTIALS}

    def _provider_routes(self) -> list[Route]:
        return [
            ("POST", re.compile(r"/v1/orders"), self.rzp_order),
            ("POST", re.compile(r"/v1/payments/create/upi"), self.rzp_create_upi),
            ("POST", re.compile(r"/v1/payments/(?P<pid>pay_\w+)/refund"), self.rzp_refund),
            ("GET", re.compile(r"/v1/payments/(?P<pid>pay_\w+)"), self.rzp_payment),
            *super()._provider_routes(),
        ]

    def _reset_provider_state(self) -> None:
        super()._reset_provider_state()
        self.rzp_orders: dict[str, dict[str, Any]] = {}
        self.rzp_payments: dict[str, dict[str, Any]] = {}

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
            "id": random_text("order_", 14, string.ascii_letters + string.digits),
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
        upi = as_object(body.get("upi"))
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
            "id": random_text("pay_", 14, string.ascii_letters + string.digits),
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
                    acquirer_data={"rrn": random_text("", 12, string.digits)},
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
                "X-Razorpay-Event-Id": random_text(
                    "evt_", 14, string.ascii_letters + string.digits
                ),
            },
        )

    def _rzp_payment_call(
        self, request: Request, pid: str, *, needs_body: bool
    ) -> tuple[Any, dict[str, Any]] | Response:
        """``_rzp_guard`` for a call on one payment, then that payment's entry: the body and the
        entry, or the answer to give. The caller holds the lock, so the entry it gets is the
        one it changes."""
        body, error = self._rzp_guard(request, needs_body=needs_body)
        if error:
            return error
        entry = self.rzp_payments.get(pid)
        if entry is None:
            return self._rzp_error("The id provided does not exist", "id")
        return body, entry

    def rzp_payment(self, request: Request, pid: str) -> Response:
        with self._lock:
            found = self._rzp_payment_call(request, pid, needs_body=False)
            if isinstance(found, Response):
                return found
            _body, entry = found
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
        with self._lock:
            found = self._rzp_payment_call(request, pid, needs_body=True)
            if isinstance(found, Response):
                return found
            body, entry = found
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
                "id": random_text("rfnd_", 14, string.ascii_letters + string.digits),
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
