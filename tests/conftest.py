"""Project-wide fixtures: businesses made through the real signup service, host-bound clients."""

from __future__ import annotations

import itertools
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django_tenants.utils import schema_context

from saas_platform.tenancy import use_public_schema
from shared_apps.tenants.models import Tenant
from shared_apps.tenants.public_tenant import ensure_public_tenant
from shared_apps.tenants.services import SignupData, tenant_domain_for, tenant_signup
from shared_apps.users.models import User

STRONG_PASSWORD = "Correct-Horse-Battery-42"
ROOT = Path(__file__).resolve().parent.parent

_numbers = itertools.count(1)


def signup_data(**overrides: str) -> SignupData:
    number = next(_numbers)
    values = {
        "business_name": f"Shop {number}",
        "slug": f"shop-{number}",
        "owner_name": "Wanjiru Kamau",
        "owner_email": f"owner{number}@example.com",
        "password": STRONG_PASSWORD,
        "country": "KE",
        "currency": "KES",
        "time_zone": "Africa/Nairobi",
    }
    values.update(overrides)
    return SignupData(**values)


@pytest.fixture(autouse=True, scope="session")
def _scratch_cache(django_test_environment: None) -> Iterator[None]:
    """Tests use Redis database 15 (14, 13… for further xdist workers) so that clearing it
    never touches real data or another worker's keys: schema names, and so cache keys, are the
    same in every worker's test database. Payment status queries the tests schedule go to a
    queue of the run's own, deleted at the end, where no real worker ever looks."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    database = 15 - int(worker.removeprefix("gw") or 0) % 8
    location = re.sub(r"/\d+$", "", settings.REDIS_URL.rstrip("/")) + f"/{database}"
    caches = {"default": {**settings.CACHES["default"], "LOCATION": location}}
    queue = f"test-payments-{worker}-{secrets.token_hex(4)}"
    with override_settings(CACHES=caches, PAYMENT_TASK_QUEUE=queue):
        yield
    redis.Redis.from_url(settings.REDIS_URL).delete(queue)


@pytest.fixture(autouse=True)
def _empty_cache(_scratch_cache: None) -> None:
    # Login-failure counters and rate-limit windows must not leak from one test (or run) into
    # the next: schema names, and so cache keys, repeat between runs.
    cache.clear()


@pytest.fixture(autouse=True)
def _back_to_public_schema() -> Iterator[None]:
    # A request leaves the connection on its tenant's schema; the next test starts from public.
    yield
    if connection.connection is not None or connection.in_atomic_block:
        use_public_schema()


@pytest.fixture
def public_tenant(db: None) -> Tenant:
    # Transactional tests flush public tables, so the root domain's row is restored on demand.
    return ensure_public_tenant()


@pytest.fixture
def make_tenant(db: None, request: pytest.FixtureRequest) -> Iterator[Callable[..., Tenant]]:
    made: list[str] = []

    def make(**overrides: str) -> Tenant:
        tenant = tenant_signup(data=signup_data(**overrides))
        made.append(tenant.schema_name)
        return tenant

    yield make
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        # Committed schemas outlive the table flush of transactional tests; drop them here.
        with connection.cursor() as cursor:
            for name in made:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@pytest.fixture
def tenant_client() -> Callable[[Tenant], Client]:
    def make(tenant: Tenant) -> Client:
        return Client(HTTP_HOST=tenant_domain_for(tenant.slug))

    return make


@pytest.fixture
def root_client(public_tenant: Tenant) -> Client:
    return Client(HTTP_HOST=settings.PLATFORM_DOMAIN)


def schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [name])
        return cursor.fetchone() is not None


def schema_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_namespace")
        row = cursor.fetchone()
        assert row is not None
        return int(row[0])


# --- people and credentials inside a business ------------------------------------------------

_staff_numbers = itertools.count(1)


@pytest.fixture
def business(make_tenant: Callable[..., Tenant]) -> Tenant:
    return make_tenant(business_name="Alpha Traders")


@pytest.fixture
def member() -> Callable[..., User]:
    """A staff member with ``role`` in ``tenant``'s schema, password STRONG_PASSWORD."""

    def make(tenant: Tenant, role: str, **fields: Any) -> User:
        email = fields.pop("email", f"{role}{next(_staff_numbers)}@staff.example.com")
        with schema_context(tenant.schema_name):
            return User.objects.create_user(
                email, STRONG_PASSWORD, full_name=f"{role.title()} Person", role=role, **fields
            )

    return make


def owner_of(tenant: Tenant) -> User:
    with schema_context(tenant.schema_name):
        return User.objects.get(email=tenant.owner_email)


def login(client: Client, email: str, password: str = STRONG_PASSWORD) -> Any:
    return client.post(
        "/api/v1/auth/login/",
        {"email": email, "password": password},
        content_type="application/json",
    )


@pytest.fixture
def jwt_client(tenant_client: Callable[[Tenant], Client]) -> Callable[[Tenant, str], Client]:
    """A client of ``tenant``'s host carrying an access token obtained by logging in."""

    def make(tenant: Tenant, email: str) -> Client:
        client = tenant_client(tenant)
        response = login(client, email)
        assert response.status_code == 200, response.content
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {response.json()['access']}"
        return client

    return make


# --- the Celery cluster ----------------------------------------------------------------------


@pytest.fixture
def worker_queue() -> Iterator[str]:
    """A real Celery worker on a queue of its own, against the test database and whichever
    broker the settings name (the machine's Redis, or the embedded one)."""
    queue = f"test-{secrets.token_hex(4)}"
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_NAME_OVERRIDE": connection.settings_dict["NAME"],
        "TENANT_SCHEMA_POOL_SIZE": "2",
    }
    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "saas_platform", "worker", "--pool=solo",
         "-Q", queue, "--without-heartbeat", "--without-gossip", "--without-mingle",
         "-l", "warning"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    try:
        yield queue
    finally:
        worker.terminate()
        worker.wait(timeout=30)
