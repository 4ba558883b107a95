"""The sandbox's shared core: requests and answers, the payer scenarios, the recorded traffic
and callbacks, and the control endpoints (``/__sandbox__/…``).

A plain WSGI application (no Django) that checks what the real providers check — credentials,
tokens, the STK password, content types, field limits, signatures — and answers in their wire
formats. Each provider's routes and state live in a module of their own (``mpesa``, ``airtel``,
``card``, ``upi``, like ``tenant_apps/payments/gateways/``), as a subclass of ``SandboxCore``;
``server.SandboxApp`` combines them. Outcomes are chosen by the last digit of the payer (see
``docs/payments-sandbox.md``). Callbacks are built exactly as the provider would send them and
are either posted after ``callback_delay`` seconds (development) or only recorded (tests,
``deliver=False``).
"""

from __future__ import annotations

import abc
import base64
import binascii
import itertools
import json
import re
import secrets
import string
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from http import HTTPStatus
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import httpx

from tenant_apps.payments.gateways.base import Credentials

NAIROBI = ZoneInfo("Africa/Nairobi")

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

JSON_TYPE = "application/json"
URL = re.compile(r"^https?://\S+$")


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


def random_text(
    prefix: str, length: int, alphabet: str = string.ascii_uppercase + string.digits
) -> str:
    return prefix + "".join(secrets.choice(alphabet) for _ in range(length))


def as_object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_amount(value: Any) -> Decimal | None:
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

    def logged(self) -> dict[str, Any]:
        """The request as the fakes' request logs keep it."""
        return {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": self.headers,
            "body": self.body.decode("utf-8", "replace"),
        }

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

    def wsgi_headers(self) -> list[tuple[str, str]]:
        return [
            ("Content-Type", self.content_type),
            ("Content-Length", str(len(self.body))),
            *self.headers,
        ]


def request_from(environ: dict[str, Any]) -> Request:
    """A WSGI request as the fakes read it: method, path, query, lower-case headers, body."""
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
    return Request(environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/"), query, headers, body)


def reply(status: int, value: Any) -> Response:
    return Response(status, dumps(value))


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Status"


class LoggedWsgiApp(abc.ABC):
    """The WSGI entry every fake shares (the sandbox, billing_fakes, notification_fakes):
    reads the request, logs it, hands it to the subclass's ``_dispatch`` and answers."""

    requests: list[dict[str, Any]]
    _lock: Any  # a Lock or an RLock

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request = request_from(environ)
        if self._logs(request):
            with self._lock:
                self.requests.append(request.logged())
        response = self._dispatch(request)
        start_response(f"{response.status} {_reason(response.status)}", response.wsgi_headers())
        return [response.body]

    def _logs(self, request: Request) -> bool:
        return True

    @abc.abstractmethod
    def _dispatch(self, request: Request) -> Response:
        """The fake's answer to ``request`` (each fake routes its own paths)."""


Route = tuple[str, re.Pattern[str], Callable[..., Response]]


class SandboxCore(LoggedWsgiApp):
    """The WSGI application and the state every provider shares, guarded by one lock.

    A provider's module subclasses it: ``_provider_routes`` adds its endpoints and
    ``_reset_provider_state`` (called under the lock) makes its state; both call ``super()``,
    so that a class combining several providers has them all."""

    DEFAULT_CREDENTIALS: ClassVar[dict[str, dict[str, str]]] = {}

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
        self.creds = {name: dict(values) for name, values in self.DEFAULT_CREDENTIALS.items()}
        for name, values in (credentials or {}).items():
            self.creds.setdefault(name, {}).update(values)
        self.base_url = ""
        self._lock = threading.RLock()
        self._timers: list[threading.Timer] = []
        self._initial_webhooks = dict(webhook_urls or {})
        self._routes: list[Route] = [*self._provider_routes(), *self._control_routes()]
        self._reset_state()

    def _provider_routes(self) -> list[Route]:
        return []

    def _control_routes(self) -> list[Route]:
        return [
            ("GET", re.compile(r"/__sandbox__/requests"), self.ctl_requests),
            ("GET", re.compile(r"/__sandbox__/callbacks"), self.ctl_callbacks),
            ("POST", re.compile(r"/__sandbox__/callbacks/(?P<cid>\d+)/deliver"), self.ctl_deliver),
            ("POST", re.compile(r"/__sandbox__/scenario"), self.ctl_scenario),
            ("POST", re.compile(r"/__sandbox__/reset"), self.ctl_reset),
            ("GET", re.compile(r"/__sandbox__/credentials"), self.ctl_credentials),
            ("POST", re.compile(r"/__sandbox__/webhooks"), self.ctl_webhooks),
        ]

    def _reset_state(self) -> None:
        with self._lock:
            for timer in self._timers:
                timer.cancel()
            self._timers = []
            self.requests: list[dict[str, Any]] = []
            self.callbacks: list[dict[str, Any]] = []
            self.scenarios: dict[str, int] = {}
            self.webhook_urls: dict[str, str] = dict(self._initial_webhooks)
            self._ids = itertools.count(1)
            self._reset_provider_state()

    def _reset_provider_state(self) -> None:
        """Each provider's state, fresh; called with the lock held."""

    # --- WSGI -----------------------------------------------------------------------------

    def _logs(self, request: Request) -> bool:
        # The control endpoints are the tests' own calls, not traffic to record.
        return not request.path.startswith("/__sandbox__/")

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

    def stop_timers(self) -> None:
        with self._lock:
            for timer in self._timers:
                timer.cancel()
