"""A fake Stripe: the endpoints ``billing/gateways/stripe_gateway.py`` calls, form-encoded and
answered as Stripe answers them, a hosted Checkout page in setup mode, and webhooks signed with
the endpoint secret (``Stripe-Signature: t=…,v1=…``).

Test cards on the Checkout page (the behaviour stays with the saved PaymentMethod):
``4242 4242 4242 4242`` pays; ``4000 0000 0000 0002`` and ``4000 0000 0000 0341`` save, then every
charge is declined; ``4000 0027 6000 3184`` saves, then every off-session charge needs the owner
(``authentication_required``). ``set_method_behaviour`` changes a saved method's behaviour.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import html
import json
import re
import secrets
import time
from collections.abc import Callable
from typing import Any, ClassVar
from urllib.parse import parse_qs, parse_qsl

from devtools.billing_fakes.core import (
    Delivery,
    GatewayFake,
    Request,
    Response,
    Route,
    now,
    random_id,
    reply,
)

CREDENTIALS = {"secret_key": "sk_test_duka_fake", "webhook_secret": "whsec_duka_fake"}

API_VERSION = "2025-09-30.clover"
# What a forger signs with: anything but the endpoint's secret.
FORGER_SECRET = "whsec_forged_" + "0" * 24

# number → (brand, behaviour of charges on the saved method)
TEST_CARDS: dict[str, tuple[str, str]] = {
    "4242424242424242": ("visa", "succeed"),
    "5555555555554444": ("mastercard", "succeed"),
    "4000000000000002": ("visa", "decline"),
    "4000000000000341": ("visa", "decline"),
    "4000002760003184": ("visa", "authenticate"),
}
BEHAVIOURS = ("succeed", "decline", "authenticate")

_SEARCH = re.compile(r"\s*metadata\['(?P<key>[^']+)'\]\s*:\s*'(?P<value>(?:[^'\\]|\\.)*)'\s*")
_HTML = "text/html; charset=utf-8"


def parse_form(body: bytes) -> dict[str, Any]:
    """Stripe's form encoding as nested values: ``metadata[reference]=x`` → {"metadata":
    {"reference": "x"}}, ``expand[0]=a`` → {"expand": ["a"]}."""
    result: dict[str, Any] = {}
    for key, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
        parts = re.findall(r"[^\[\]]+|\[\]", key)
        node = result
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        else:
            if parts:
                node[parts[-1]] = value
    return _lists(result)


def _lists(value: Any) -> Any:
    if isinstance(value, dict):
        value = {k: _lists(v) for k, v in value.items()}
        if value and all(k.isdigit() for k in value):
            return [value[k] for k in sorted(value, key=int)]
    return value


def stripe_signature(body: bytes, secret: str, timestamp: int) -> str:
    """``Stripe-Signature`` as Stripe computes it: HMAC-SHA256 of "<t>.<body>"."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _error(
    status: int, type_: str, message: str, *, code: str = "", param: str = "", **extra: Any
) -> Response:
    error: dict[str, Any] = {"type": type_, "message": message}
    if code:
        error["code"] = code
    if param:
        error["param"] = param
    error.update(extra)
    return reply(status, {"error": error})


def _missing(kind: str, object_id: str, param: str = "id") -> Response:
    return _error(
        404 if param == "id" else 400,
        "invalid_request_error",
        f"No such {kind}: '{object_id}'",
        code="resource_missing",
        param=param,
    )


class StripeFake(GatewayFake):
    name: ClassVar[str] = "stripe"

    def __init__(
        self,
        *,
        secret_key: str = CREDENTIALS["secret_key"],
        webhook_secret: str = CREDENTIALS["webhook_secret"],
        webhook_url: str = "",
        deliver: bool = True,
    ) -> None:
        self.webhook_secret = webhook_secret
        super().__init__(secret_key=secret_key, webhook_url=webhook_url, deliver=deliver)

    def _reset_state(self) -> None:
        self.customers: dict[str, dict[str, Any]] = {}
        self.sessions: dict[str, dict[str, Any]] = {}
        self.setup_intents: dict[str, dict[str, Any]] = {}
        self.payment_methods: dict[str, dict[str, Any]] = {}
        self.payment_intents: dict[str, dict[str, Any]] = {}
        self.behaviours: dict[str, tuple[str, str]] = {}  # pm id → (behaviour, decline code)
        self.idempotency: dict[str, tuple[str, Response]] = {}

    def routes(self) -> list[Route]:
        return [
            Route("POST", r"/v1/customers", self.create_customer),
            Route("GET", r"/v1/customers/search", self.search_customers),
            Route("GET", r"/v1/customers/(?P<object_id>[\w]+)", self.get_customer),
            Route("POST", r"/v1/checkout/sessions", self.create_session),
            Route("GET", r"/v1/checkout/sessions/(?P<object_id>\w+)", self.get_session),
            Route("GET", r"/v1/setup_intents/(?P<object_id>\w+)", self.get_setup_intent),
            Route("GET", r"/v1/payment_methods/(?P<object_id>\w+)", self.get_payment_method),
            Route("POST", r"/v1/payment_intents", self.create_payment_intent),
            Route("GET", r"/v1/payment_intents/search", self.search_payment_intents),
            Route("GET", r"/v1/payment_intents/(?P<object_id>\w+)", self.get_payment_intent),
            Route("GET", r"/stripe/checkout/(?P<object_id>\w+)", self.checkout_page, api=False),
            Route("POST", r"/stripe/checkout/(?P<object_id>\w+)", self.checkout_post, api=False),
        ]

    def authorized(self, request: Request) -> bool:
        # Stripe takes the key as a Bearer token (what the stripe package sends) or as the
        # user name of Basic auth (what curl -u sends).
        basic = request.basic_auth()
        if basic is not None:
            return secrets.compare_digest(basic[0].encode(), self.secret_key.encode())
        return super().authorized(request)

    def unauthorized(self) -> Response:
        return _error(
            401,
            "invalid_request_error",
            "Invalid API Key provided. The fake Stripe takes only its configured secret key.",
        )

    def outage(self, status: int) -> Response:
        return _error(status, "api_error", "Something went wrong on the fake Stripe's end.")

    # --- knobs and helpers for tests --------------------------------------------------------------

    def set_method_behaviour(
        self, pm_id: str, behaviour: str, *, decline_code: str = "generic_decline"
    ) -> None:
        """What charges on a saved PaymentMethod do from now on."""
        if behaviour not in BEHAVIOURS:
            raise ValueError(f"behaviour must be one of {BEHAVIOURS}")
        with self._lock:
            if pm_id not in self.payment_methods:
                raise KeyError(pm_id)
            self.behaviours[pm_id] = (behaviour, decline_code)

    def sign(
        self, body: bytes, *, timestamp: int | None = None, secret: str | None = None
    ) -> dict[str, str]:
        return {
            "Content-Type": "application/json; charset=utf-8",
            "Stripe-Signature": stripe_signature(
                body, secret or self.webhook_secret, now() if timestamp is None else timestamp
            ),
        }

    def delivery(
        self,
        event_type: str,
        obj: dict[str, Any],
        *,
        created: int | None = None,
        event_id: str | None = None,
        signed_at: int | None = None,
    ) -> Delivery:
        """An event built and signed as Stripe would send it (not put in the outbox)."""
        event = {
            "id": event_id or random_id("evt_"),
            "object": "event",
            "api_version": API_VERSION,
            "created": now() if created is None else created,
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": event_type,
            "data": {"object": copy.deepcopy(obj)},
        }
        body = json.dumps(event, indent=2).encode()
        return Delivery(body, self.sign(body, timestamp=signed_at))

    def forged(self, delivery: Delivery) -> Delivery:
        """The same body signed with a secret that is not the endpoint's."""
        return Delivery(delivery.body, self.sign(delivery.body, secret=FORGER_SECRET))

    def stale(self, delivery: Delivery, age: int = 301) -> Delivery:
        """The same body, correctly signed ``age`` seconds ago (a replay past the tolerance)."""
        return Delivery(delivery.body, self.sign(delivery.body, timestamp=now() - age))

    def events(self, event_type: str | None = None) -> list[Delivery]:
        with self._lock:
            return [d for d in self.outbox if event_type in (None, d.json()["type"])]

    def _emit_event(self, event_type: str, obj: dict[str, Any]) -> None:
        self.emit(self.delivery(event_type, obj))

    # --- idempotency ------------------------------------------------------------------------------

    def _idempotent(
        self,
        request: Request,
        params: dict[str, Any],
        run: Callable[[dict[str, Any]], tuple[Response, bool]],
    ) -> Response:
        """Runs a POST once per ``Idempotency-Key``: the same key answers the first response
        again; the same key with other parameters is refused. Only requests that got as far as
        running are remembered (a validation error is not), as Stripe does."""
        key = request.headers.get("idempotency-key", "")
        fingerprint = json.dumps([request.path, params], sort_keys=True)
        with self._lock:
            if key and key in self.idempotency:
                first_fingerprint, first = self.idempotency[key]
                if first_fingerprint != fingerprint:
                    return _error(
                        400,
                        "idempotency_error",
                        "Keys for idempotent requests can only be used with the same "
                        f"parameters they were first used with. Try a key other than '{key}' "
                        "if you meant to execute a different request.",
                    )
                return Response(
                    first.status,
                    first.body,
                    first.content_type,
                    [*first.headers, ("Idempotent-Replayed", "true")],
                )
            response, remember = run(params)
            if key and remember:
                self.idempotency[key] = (fingerprint, response)
            return response

    # --- customers --------------------------------------------------------------------------------

    def create_customer(self, request: Request) -> Response:
        def run(params: dict[str, Any]) -> tuple[Response, bool]:
            customer: dict[str, Any] = {
                "id": random_id("cus_", 14),
                "object": "customer",
                "created": now(),
                "email": params.get("email"),
                "name": params.get("name"),
                "metadata": params.get("metadata") or {},
                "livemode": False,
                "invoice_settings": {"default_payment_method": None},
            }
            self.customers[customer["id"]] = customer
            return reply(200, customer), True

        return self._idempotent(request, parse_form(request.body), run)

    def get_customer(self, request: Request, object_id: str) -> Response:
        with self._lock:
            customer = self.customers.get(object_id)
        return reply(200, customer) if customer else _missing("customer", object_id)

    def _search(self, request: Request, objects: dict[str, dict[str, Any]]) -> Response:
        match = _SEARCH.fullmatch(request.query.get("query", ""))
        if match is None:
            return _error(
                400,
                "invalid_request_error",
                "The fake Stripe searches only metadata['key']:'value'.",
                code="parameter_invalid",
                param="query",
            )
        value = re.sub(r"\\(.)", r"\1", match["value"])
        with self._lock:
            found = [
                copy.deepcopy(o)
                for o in objects.values()
                if (o.get("metadata") or {}).get(match["key"]) == value
            ]
        found.sort(key=lambda o: o["created"], reverse=True)
        return reply(
            200,
            {
                "object": "search_result",
                "url": request.path,
                "has_more": False,
                "next_page": None,
                "data": found,
            },
        )

    def search_customers(self, request: Request) -> Response:
        return self._search(request, self.customers)

    # --- Checkout in setup mode -------------------------------------------------------------------

    def create_session(self, request: Request) -> Response:
        params = parse_form(request.body)
        if params.get("mode") != "setup":
            return _error(
                400,
                "invalid_request_error",
                "The fake Stripe makes Checkout Sessions in setup mode only.",
                code="parameter_invalid",
                param="mode",
            )
        for field in ("success_url", "customer"):
            if not params.get(field):
                return _error(
                    400,
                    "invalid_request_error",
                    f"Missing required param: {field}.",
                    code="parameter_missing",
                    param=field,
                )
        if not params.get("currency") and not params.get("payment_method_types"):
            return _error(
                400,
                "invalid_request_error",
                "currency is required in setup mode without payment_method_types.",
                code="parameter_missing",
                param="currency",
            )
        with self._lock:
            if params["customer"] not in self.customers:
                return _missing("customer", params["customer"], "customer")

        def run(params: dict[str, Any]) -> tuple[Response, bool]:
            session_id = random_id("cs_test_", 40)
            session = {
                "id": session_id,
                "object": "checkout.session",
                "mode": "setup",
                "status": "open",
                "payment_status": "no_payment_required",
                "created": now(),
                "expires_at": now() + 24 * 3600,
                "customer": params["customer"],
                "currency": params.get("currency"),
                "client_reference_id": params.get("client_reference_id"),
                "metadata": params.get("metadata") or {},
                "success_url": params["success_url"],
                "cancel_url": params.get("cancel_url"),
                "setup_intent": None,
                "url": f"{self.base_url}/stripe/checkout/{session_id}",
                "livemode": False,
            }
            self.sessions[session_id] = session
            return reply(200, session), True

        return self._idempotent(request, params, run)

    def get_session(self, request: Request, object_id: str) -> Response:
        with self._lock:
            session = copy.deepcopy(self.sessions.get(object_id))
        return reply(200, session) if session else _missing("checkout.session", object_id)

    def get_setup_intent(self, request: Request, object_id: str) -> Response:
        with self._lock:
            intent = copy.deepcopy(self.setup_intents.get(object_id))
        return reply(200, intent) if intent else _missing("setup_intent", object_id)

    def get_payment_method(self, request: Request, object_id: str) -> Response:
        with self._lock:
            method = copy.deepcopy(self.payment_methods.get(object_id))
        return reply(200, method) if method else _missing("payment_method", object_id)

    def complete_checkout(self, session_id: str, card_number: str) -> dict[str, Any]:
        """The owner enters ``card_number`` on the Checkout page and saves it; the session."""
        number = re.sub(r"\D", "", card_number)
        if number not in TEST_CARDS:
            raise ValueError("Your card number is not one of the test cards.")
        brand, behaviour = TEST_CARDS[number]
        with self._lock:
            session = self.sessions.get(session_id)
            if session is None:
                raise KeyError(session_id)
            if session["status"] != "open":
                raise ValueError("This Checkout Session is no longer open.")
            method = {
                "id": random_id("pm_"),
                "object": "payment_method",
                "type": "card",
                "created": now(),
                "customer": session["customer"],
                "card": {
                    "brand": brand,
                    "last4": number[-4:],
                    "exp_month": 12,
                    "exp_year": time.gmtime().tm_year + 3,
                    "funding": "credit",
                    "country": "US",
                },
                "livemode": False,
            }
            intent = {
                "id": random_id("seti_"),
                "object": "setup_intent",
                "status": "succeeded",
                "usage": "off_session",
                "created": now(),
                "customer": session["customer"],
                "payment_method": method["id"],
                "livemode": False,
            }
            self.payment_methods[method["id"]] = method
            self.behaviours[method["id"]] = (behaviour, "generic_decline")
            self.setup_intents[intent["id"]] = intent
            session.update(status="complete", setup_intent=intent["id"])
            done = copy.deepcopy(session)
        self._emit_event("setup_intent.succeeded", intent)
        self._emit_event("checkout.session.completed", done)
        return done

    def checkout_page(self, request: Request, object_id: str, error: str = "") -> Response:
        with self._lock:
            session = copy.deepcopy(self.sessions.get(object_id))
        if session is None:
            return Response(404, b"<h1>This Checkout Session does not exist.</h1>", _HTML)
        cards = "".join(
            f'<label><input type="radio" name="card" value="{number}"'
            f"{' checked' if number == '4242424242424242' else ''}> "
            f"{' '.join(number[i : i + 4] for i in range(0, 16, 4))} ({html.escape(b)}: "
            f"{html.escape(behaviour)})</label><br>"
            for number, (b, behaviour) in TEST_CARDS.items()
        )
        warning = f'<p role="alert">{html.escape(error)}</p>' if error else ""
        page = f"""<!doctype html><html><head><meta charset="utf-8">
<title>Fake Stripe Checkout</title></head><body style="font-family:sans-serif;max-width:32em;
margin:3em auto"><h1>Save a card</h1><p>Status: {html.escape(session["status"])}</p>{warning}
<form method="post">{cards}<button name="action" value="save">Save card</button>
<button name="action" value="cancel">Cancel</button></form></body></html>"""
        return Response(400 if error else 200, page.encode(), _HTML)

    def checkout_post(self, request: Request, object_id: str) -> Response:
        form = {k: v[-1] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
        with self._lock:
            session = copy.deepcopy(self.sessions.get(object_id))
        if session is None:
            return Response(404, b"<h1>This Checkout Session does not exist.</h1>", _HTML)
        if form.get("action") == "cancel":
            return Response(302, b"", _HTML, [("Location", session["cancel_url"] or "/")])
        try:
            done = self.complete_checkout(object_id, form.get("card", ""))
        except ValueError as exc:
            return self.checkout_page(request, object_id, error=str(exc))
        target = str(done["success_url"]).replace("{CHECKOUT_SESSION_ID}", object_id)
        return Response(302, b"", _HTML, [("Location", target)])

    # --- PaymentIntents ---------------------------------------------------------------------------

    def create_payment_intent(self, request: Request) -> Response:
        params = parse_form(request.body)
        amount, currency = str(params.get("amount", "")), str(params.get("currency", ""))
        if not amount.isdigit() or int(amount) < 1:
            return _error(
                400,
                "invalid_request_error",
                "amount must be a positive integer in the currency's smallest unit.",
                code="parameter_invalid_integer",
                param="amount",
            )
        if not re.fullmatch(r"[a-z]{3}", currency):
            return _error(
                400,
                "invalid_request_error",
                "currency must be a three-letter ISO code in lowercase.",
                code="parameter_invalid",
                param="currency",
            )
        with self._lock:
            customer = params.get("customer")
            method = self.payment_methods.get(str(params.get("payment_method")))
            if customer and customer not in self.customers:
                return _missing("customer", str(customer), "customer")
            if method is None:
                return _missing(
                    "payment_method", str(params.get("payment_method")), "payment_method"
                )
            if method["customer"] != customer:
                return _error(
                    400,
                    "invalid_request_error",
                    "The provided PaymentMethod does not belong to the Customer.",
                    param="payment_method",
                )
        return self._idempotent(request, params, self._run_payment_intent)

    def _run_payment_intent(self, params: dict[str, Any]) -> tuple[Response, bool]:
        """Creates (and, with confirm=true, attempts) a PaymentIntent; lock held."""
        method = self.payment_methods[params["payment_method"]]
        intent: dict[str, Any] = {
            "id": random_id("pi_"),
            "object": "payment_intent",
            "amount": int(params["amount"]),
            "amount_received": 0,
            "currency": params["currency"],
            "customer": params.get("customer"),
            "payment_method": method["id"],
            "description": params.get("description"),
            "metadata": params.get("metadata") or {},
            "created": now(),
            "status": "requires_confirmation",
            "last_payment_error": None,
            "next_action": None,
            "latest_charge": None,
            "livemode": False,
        }
        self.payment_intents[intent["id"]] = intent
        self._emit_event("payment_intent.created", intent)
        if params.get("confirm") != "true":
            return reply(200, intent), True
        behaviour, decline_code = self.behaviours.get(method["id"], ("succeed", ""))
        record = {
            "reference": intent["metadata"].get("reference", ""),
            "amount_minor": intent["amount"],
            "currency": intent["currency"].upper(),
            "customer": intent["customer"],
            "gateway_reference": intent["id"],
        }
        intent["latest_charge"] = random_id("ch_")
        if behaviour == "succeed":
            intent.update(status="succeeded", amount_received=intent["amount"])
            self.charges.append({**record, "status": "succeeded"})
            self._emit_event("payment_intent.succeeded", intent)
            return reply(200, intent), True
        # Off-session (the only way billing charges), a card that wants 3-D Secure fails with
        # authentication_required: the owner has to come back and confirm.
        if behaviour == "authenticate":
            code, decline_code = "authentication_required", "authentication_required"
            message = "Your card was declined. This transaction requires authentication."
            status = "requires_action"
        else:
            code, message, status = "card_declined", "Your card was declined.", "failed"
        error = {
            "type": "card_error",
            "code": code,
            "decline_code": decline_code,
            "message": message,
            "charge": intent["latest_charge"],
            "payment_method": copy.deepcopy(method),
        }
        intent.update(status="requires_payment_method", last_payment_error=error)
        self.charges.append({**record, "status": status})
        self._emit_event("payment_intent.payment_failed", intent)
        return (
            _error(
                402,
                "card_error",
                message,
                code=code,
                decline_code=decline_code,
                charge=intent["latest_charge"],
                payment_intent=copy.deepcopy(intent),
                doc_url=f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}",
            ),
            True,
        )

    def get_payment_intent(self, request: Request, object_id: str) -> Response:
        with self._lock:
            intent = copy.deepcopy(self.payment_intents.get(object_id))
        return reply(200, intent) if intent else _missing("payment_intent", object_id)

    def search_payment_intents(self, request: Request) -> Response:
        return self._search(request, self.payment_intents)


__all__ = ["BEHAVIOURS", "CREDENTIALS", "TEST_CARDS", "StripeFake", "parse_form"]
