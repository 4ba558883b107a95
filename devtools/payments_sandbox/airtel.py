"""Airtel Money in the sandbox: OAuth, collection (USSD push) with its signed callback,
enquiry and refund."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import string
import time
from typing import Any

from devtools.payments_sandbox.core import (
    JSON_TYPE,
    PROCESSING,
    Request,
    Response,
    Route,
    SandboxCore,
    Scenario,
    as_amount,
    as_object,
    dumps,
    random_text,
    reply,
)

CREDENTIALS: dict[str, str] = {
    "client_id": "duka-sandbox-airtel-id",
    "client_secret": "duka-sandbox-airtel-secret",
    "country": "KE",
    "currency": "KES",
    "country_code": "254",
    "callback_secret": "duka-sandbox-airtel-callback",
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


class AirtelSandbox(SandboxCore):
    """Airtel's endpoints, its tokens and collections."""

    DEFAULT_CREDENTIALS = {"airtel": CREDENTIALS}

    def _provider_routes(self) -> list[Route]:
        return [
            ("POST", re.compile(r"/auth/oauth2/token"), self.airtel_token),
            ("POST", re.compile(r"/merchant/v1/payments/?"), self.airtel_collect),
            # Before the enquiry, whose pattern would take "refund" for a transaction id.
            ("POST", re.compile(r"/standard/v1/payments/refund"), self.airtel_refund),
            ("GET", re.compile(r"/standard/v1/payments/(?P<tid>[^/]+)"), self.airtel_enquiry),
            *super()._provider_routes(),
        ]

    def _reset_provider_state(self) -> None:
        super()._reset_provider_state()
        self.airtel_tokens: dict[str, float] = {}
        self.airtel: dict[str, dict[str, Any]] = {}

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
        token = random_text("", 32, string.ascii_letters + string.digits)
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
        subscriber = as_object(body.get("subscriber"))
        transaction = as_object(body.get("transaction"))
        msisdn = str(subscriber.get("msisdn", ""))
        amount = as_amount(transaction.get("amount"))
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
                "money_id": random_text("MP", 10, string.digits),
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
