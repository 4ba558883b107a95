"""Fixtures of the API fuzzing: the Django application in process, each host's OpenAPI document
and the credentials each run sends.

Requests go through Django's WSGI handler in this process, so they run inside the test's
database transaction: whatever the fuzzer creates or breaks is rolled back at the end.
"""

from __future__ import annotations

import re
import socket
import sys
import traceback
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import schemathesis
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.urls import resolve
from django_tenants.utils import tenant_context
from schemathesis.schemas import BaseSchema
from werkzeug.test import Client as WsgiClient

from saas_platform.api.permissions import HasAction, role_may_use
from saas_platform.tenancy import use_public_schema
from shared_apps.tenants.models import Tenant
from shared_apps.tenants.services import tenant_domain_for
from shared_apps.users.models import Role, User
from tenant_apps.catalog import demo as catalog_demo
from tenant_apps.customers.demo import seed_demo_customers
from tenant_apps.inventory.demo import seed_demo_stock
from tenant_apps.purchasing.demo import seed_demo_purchasing
from tenant_apps.sales import demo as sales_demo
from tests.support.billing import put_on_plan
from tests.support.people import access_token_for, owner_of
from tests.support.tenants import STRONG_PASSWORD
from tests.support.urls import root_path, tenant_path

# The checkout: tracebacks show the frames of our own code, relative to it.
ROOT = f"{Path(__file__).resolve().parents[2]}/"

if not hasattr(pytest.Function, "_nodeid"):
    # schemathesis 4.32's `from_fixture` names each operation's subtest by rewriting the running
    # item's `_nodeid`, which pytest 9.2 replaced with a structured `_id`. Map the old name onto
    # the new one (drop this once schemathesis supports pytest 9.2).
    from _pytest.nodeid import coerce_node_id

    def _set_nodeid(item: pytest.Function, value: str) -> None:
        item._id = coerce_node_id(value)

    pytest.Function._nodeid = property(lambda item: item.nodeid, _set_nodeid)  # type: ignore[attr-defined]

# Bounded so that the whole fuzz run adds at most a few minutes to `make test` on two cores, and
# reproducible: the same seed and no randomness from run to run, so a red CI run can be replayed.
FUZZ_SETTINGS: dict[str, Any] = {
    "seed": 20261121,
    "suppress-health-check": ["all"],
    "generation": {
        # Valid and invalid input alike: bad input must be a 4xx, never a 500.
        "mode": "all",
        "max-examples": 6,
        "deterministic": True,
        "no-shrink": True,
        "database": "none",
        # The credentials are the run's own (below); generated ones would only be refused.
        "with-security-parameters": False,
        "dictionaries": {
            "integer": {"dictionary": "hostile-integers", "probability": 0.2},
            "number": {"dictionary": "hostile-numbers", "probability": 0.2},
            "string": {"dictionary": "hostile-strings", "probability": 0.2},
        },
    },
    # Values that broke the API before (issue 10) come up in any field of their type, in
    # valid input where the schema allows them and as invalid input where it does not.
    "dictionaries": {
        "hostile-integers": {"values": [99999999999999999999, 2**63, 2**31, -(2**31) - 1, -1, 0]},
        "hostile-numbers": {"values": [1e30, -1e30, 99999999999999.99, 1e-30]},
        "hostile-strings": {
            "values": [
                "\x00",
                "a\x00b",
                "x" * 5000,
                "1e30",
                "99999999999999999999",
                "=1+1",
                "../../etc/passwd",
            ]
        },
    },
    # Paging parameters more often than other integers: an OFFSET past bigint was a 500.
    "parameters": {
        f"query.{name}": {"dictionary": "hostile-integers", "probability": 0.5}
        for name in ("offset", "limit", "page")
    },
    "phases": {
        "examples": {"enabled": True},
        # Not the methods an operation lacks: those are DRF's own 405, the same for every view,
        # and were a twelfth of the run.
        "coverage": {"enabled": True, "unexpected-methods": []},
        "fuzzing": {"enabled": True},
        "stateful": {"enabled": False},
    },
}


# Rows the seeded business surely has: ids in paths come from here half the time, so that
# reads, changes and deletions of real rows are fuzzed, not only "404 no such thing".
SEEDED_IDS = [1, 2, 3]


def fuzz_config(document: dict[str, Any], denied: Collection[str] = ()) -> schemathesis.Config:
    """The run's settings; ``denied`` names operations the caller's role may not use at all."""
    path_ids = {
        f"path.{parameter['name']}"
        for item in document["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict)
        for parameter in operation.get("parameters", [])
        if parameter.get("in") == "path" and parameter.get("schema", {}).get("type") == "integer"
    }
    settings = dict(FUZZ_SETTINGS)
    settings["dictionaries"] = {**settings["dictionaries"], "seeded-ids": {"values": SEEDED_IDS}}
    settings["parameters"] = {
        **settings["parameters"],
        **{name: {"dictionary": "seeded-ids", "probability": 0.5} for name in sorted(path_ids)},
    }
    if denied:
        # The permission check runs before a view reads anything of the request, so every input
        # to a denied operation gets the same 403: one generated case shows that the refusal is
        # documented and well formed, and the coverage phase's forty would only repeat it. (The
        # owner's run fuzzes those operations in full.)
        settings["operations"] = [
            {
                "include-operation-id": sorted(denied),
                "phases": {"coverage": {"enabled": False}, "examples": {"enabled": False}},
                "generation": {"max-examples": 1},
            }
        ]
    return schemathesis.Config.from_dict(settings)


def a_path_of(template: str, operation: dict[str, Any]) -> str:
    """A concrete path of the route ``template`` (which view answers never depends on the
    values, only on their kinds)."""
    values = {}
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "path":
            kind = parameter.get("schema", {})
            values[parameter["name"]] = (
                "00000000-0000-4000-8000-000000000001" if kind.get("format") == "uuid"
                else "1" if kind.get("type") == "integer" else "x"
            )  # fmt: skip
    return re.sub(r"\{([^}]+)\}", lambda found: values.get(found[1], "x"), template)


def operations_denied_to(role: str, document: dict[str, Any]) -> list[str]:
    """The operationIds of ``document`` that ``role`` may not use at all: the view's permission
    check (saas_platform/api/permissions.py) refuses the role whatever the request holds."""
    denied = []
    for template, item in document["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            route = resolve(a_path_of(template, operation), urlconf=settings.ROOT_URLCONF)
            view = getattr(route.func, "cls", None)
            if view is None or HasAction not in view.permission_classes:
                continue
            if not role_may_use(role, view, method.upper()):
                denied.append(operation["operationId"])
    return denied


@dataclass
class FuzzTarget:
    """One host, as one kind of caller."""

    name: str
    host: str
    headers: dict[str, str]
    cookies: dict[str, str]
    schema: BaseSchema

    @property
    def base_url(self) -> str:
        return f"http://{self.host}"


@dataclass
class ServerErrors:
    """Exceptions the application turned into a 500 during the current call."""

    seen: list[str] = field(default_factory=list)

    def record(self, error: BaseException) -> None:
        # Our own frames name the file and function a fix belongs in; the library frames under
        # them only repeat what the exception says.
        lines = []
        exc: BaseException | None = error
        while exc is not None:
            lines.append(f"{type(exc).__module__}.{type(exc).__qualname__}: {exc}")
            lines.extend(
                f"  {frame.filename.removeprefix(ROOT)}:{frame.lineno} in {frame.name}"
                for frame in traceback.extract_tb(exc.__traceback__)
                if frame.filename.startswith(ROOT) and "/.venv/" not in frame.filename
            )
            exc = exc.__cause__ or exc.__context__
        self.seen.append("\n".join(lines))


@dataclass
class NetworkAttempts:
    """Connections the application tried to open to anything but this machine."""

    seen: list[str] = field(default_factory=list)


@pytest.fixture
def wsgi_app(db: None, settings: Any, tmp_path: Path) -> Iterator[WSGIHandler]:
    # Django closes "old" connections at the start and end of each request; the test's own
    # connection holds the test's transaction, so (as Django's test client does) not here.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    # Uploaded product images land in a scratch directory, not in the checkout's .data/.
    settings.MEDIA_ROOT = str(tmp_path / "media")
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def server_errors() -> Iterator[ServerErrors]:
    errors = ServerErrors()

    def on_exception(**_: Any) -> None:
        # Sent from inside Django's `except` block, so the exception is the current one.
        error = sys.exc_info()[1]
        if error is not None:
            errors.record(error)

    got_request_exception.connect(on_exception, weak=False)
    try:
        yield errors
    finally:
        got_request_exception.disconnect(on_exception)


def _own_services() -> set[str]:
    """This machine, and the database and Redis the tests use (in CI, maybe other hosts)."""
    hosts = {"localhost", "127.0.0.1", "::1", ""}
    hosts.add(str(settings.DATABASES["default"].get("HOST") or ""))
    hosts.add(urlsplit(settings.REDIS_URL or "").hostname or "")
    return hosts


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> NetworkAttempts:
    """Fuzzed requests must never reach outside services; an operation that tries is reported
    (and should be excluded by name, or pointed at a local fake)."""
    attempts = NetworkAttempts()
    allowed = _own_services()
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in allowed:
            attempts.seen.append(f"resolve {name!r}")
            raise socket.gaierror(socket.EAI_NONAME, "network is off during API fuzzing")
        found = real_getaddrinfo(host, *args, **kwargs)
        # The addresses of our own services may be connected to.
        allowed.update(str(entry[4][0]) for entry in found)
        return found

    def connect(sock: socket.socket, address: Any) -> None:
        host = str(address[0]) if isinstance(address, tuple) else str(address)
        if sock.family in (socket.AF_INET, socket.AF_INET6) and host not in allowed:
            attempts.seen.append(f"connect {address!r}")
            raise OSError(101, "network is off during API fuzzing")
        real_connect(sock, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    return attempts


# The document is the same for every business (and for every run of the root domain), and
# drf-spectacular takes seconds to build it: fetch it once per test process and host kind.
_documents: dict[str, dict[str, Any]] = {}


def openapi_document(app: WSGIHandler, host: str, kind: str) -> dict[str, Any]:
    """The OpenAPI document ``host`` serves at /api/schema/, as a client would read it."""
    if kind not in _documents:
        path = root_path("schema") if kind == "root" else tenant_path("schema")
        response = WsgiClient(app).get(
            path, query_string={"format": "json"}, base_url=f"http://{host}"
        )
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        _documents[kind] = response.get_json()
    return _documents[kind]


def _platform_owner_session(public_tenant: Tenant) -> dict[str, str]:
    use_public_schema()
    boss = User.objects.create_user(
        "fuzz-boss@duka.example", STRONG_PASSWORD, full_name="Platform Boss", is_platform_owner=True
    )
    client = Client(HTTP_HOST=settings.PLATFORM_DOMAIN)
    client.force_login(boss)
    # The console API accepts only a session (no JWT, no API key).
    name = settings.SESSION_COOKIE_NAME
    return {name: client.cookies[name].value}


def _seed(business: Tenant, *, owner: User, cashier: User) -> None:
    """The demo business's data (`make run`): products, stock, suppliers and orders,
    customers, tills and a closed shift of sales, so that lists are not empty and ids exist."""
    with tenant_context(business):
        catalog_demo.seed_demo_catalog()
        seed_demo_stock(actor=owner)
        seed_demo_purchasing()
        seed_demo_customers()
        sales_demo.seed_demo_sales(cashier=cashier)
    use_public_schema()


# The two business runs take most of the time; interleaved with the short ones, pytest-xdist's
# first batches (two items a worker) give each worker one of them.
TARGETS = ["business-owner", "root-anonymous", "business-cashier", "root-platform-owner"]


@pytest.fixture(params=TARGETS)
def fuzz_target(
    request: pytest.FixtureRequest,
    wsgi_app: WSGIHandler,
    public_tenant: Tenant,
    make_tenant: Callable[..., Tenant],
    member: Callable[..., User],
    monkeypatch: pytest.MonkeyPatch,
) -> FuzzTarget:
    name: str = request.param
    cookies: dict[str, str] = {}
    if name.startswith("root-"):
        host = settings.PLATFORM_DOMAIN
        document = openapi_document(wsgi_app, host, "root")
        headers = {}
        if name == "root-platform-owner":
            cookies = _platform_owner_session(public_tenant)
    else:
        business = make_tenant(business_name="Fuzz Traders")
        # Unlimited: the fuzzer's stores, tills, staff and keys are not plan_limit refusals.
        put_on_plan(business, "scale")
        host = tenant_domain_for(business.slug)
        document = openapi_document(wsgi_app, host, "business")
        cashier = member(business, "cashier")
        # A slice of the demo: 40 products (variants, sold by weight, services, packs) and 5
        # sales show every kind of row; its 300 products and 40 sales would cost half a minute.
        monkeypatch.setattr(catalog_demo, "TARGET", 40)
        monkeypatch.setattr(sales_demo, "DEMO_SALES", 5)
        _seed(business, owner=owner_of(business), cashier=cashier)
        # Minted by the token service the login endpoint uses, without spending a login (and
        # its lockout counters) on it; the token names the business, as every token does.
        user = owner_of(business) if name == "business-owner" else cashier
        headers = {"Authorization": f"Bearer {access_token_for(business, user.email)}"}
    denied = operations_denied_to(Role.CASHIER, document) if name == "business-cashier" else []
    schema = schemathesis.openapi.from_dict(document, config=fuzz_config(document, denied))
    # Calls go to the WSGI application in process, not over a socket.
    schema.app = wsgi_app
    return FuzzTarget(name=name, host=host, headers=headers, cookies=cookies, schema=schema)


@pytest.fixture
def fuzz_schema(fuzz_target: FuzzTarget) -> BaseSchema:
    return fuzz_target.schema
