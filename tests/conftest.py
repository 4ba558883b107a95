"""Project-wide fixtures: businesses made through the real signup service (renaming spare
schemas that every test gives back), staff with tokens, host-bound clients. docs/testing.md."""

from __future__ import annotations

import itertools
import os
import re
import secrets
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django_tenants.utils import schema_context, tenant_context
from moneyed import Money
from pytest_django import DjangoDbBlocker

from saas_platform.tenancy import use_public_schema
from shared_apps.outbox.models import OutboxMessage
from shared_apps.tenants.models import Tenant
from shared_apps.tenants.public_tenant import ensure_public_tenant
from shared_apps.tenants.schema_pool import REFILL_TASK
from shared_apps.tenants.services import tenant_domain_for, tenant_signup
from shared_apps.users.models import Role, User
from tenant_apps.catalog.models import Product
from tenant_apps.inventory.models import Location, MovementReason, StockLevel
from tenant_apps.inventory.stock import stock_receive
from tests.support.billing import ensure_catalog, put_on_plan
from tests.support.brokers import PrivateRedis
from tests.support.catalog import stocked_product
from tests.support.people import access_token_for
from tests.support.tenants import (
    STRONG_PASSWORD,
    drop_schemas,
    is_transactional,
    restart_ids_of_claimed_spares,
    signup_data,
    top_up_spares,
    unpark_spares,
)
from tests.support.workers import start_worker, stop_worker

# Each test process (pytest-xdist runs one per core) and each Celery worker it starts trains
# LightGBM on one thread: two threads per process on shared cores made the forecasting tests
# about 1.8x slower (a parallel step waits for a thread that is not running).
os.environ.setdefault("FORECAST_THREADS", "1")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> None:
    """The test database (pytest-django's), plus spare tenant schemas committed in it.

    Signup renames a spare to the new business's schema inside the test's transaction, so the
    rollback at the end of the test renames it back: a business costs a rename instead of a
    copy of the template, and the next test finds the spare again. With --reuse-db the spares
    of the last run are reused (those of an older template are dropped and replaced).
    """
    with django_db_blocker.unblock():
        unpark_spares()  # hidden by a test of the pool that did not finish
        top_up_spares()
        # With --reuse-db, the last run's last transactional test flushed the public seeds.
        restore_public_seeds()


@pytest.fixture(autouse=True)
def _renamed_spares_restart_their_ids() -> Iterator[None]:
    with connection.execute_wrapper(restart_ids_of_claimed_spares):
        yield


@pytest.fixture(autouse=True)
def _transactional_tests_find_seeds_and_leave_spares(
    request: pytest.FixtureRequest, django_db_blocker: DjangoDbBlocker
) -> Iterator[None]:
    """Around a transactional test, which commits what it does and ends by flushing every
    public table (pytest-django's flush runs after this fixture's teardown):

    - before it, the rows migrations seed in public tables (plans, tax rates, the root domain)
      are put back, committed, so no test depends on whether one of these ran before it;
    - after it, new spares replace those it renamed or dropped, cloned outside any test, so the
      rolled-back tests keep renaming.

    pytest-django runs the rolled-back tests first, which find the seeds from migrations or
    ``django_db_setup``."""
    transactional = is_transactional(request)
    if transactional:
        with django_db_blocker.unblock():
            restore_public_seeds()
    yield
    if transactional:
        with django_db_blocker.unblock():
            top_up_spares()
            use_public_schema()


def restore_public_seeds() -> None:
    use_public_schema()
    ensure_catalog()
    ensure_public_tenant()


@pytest.fixture(autouse=True, scope="session")
def _scratch_cache(django_test_environment: None) -> Iterator[None]:
    """Tests use Redis database 15 (14, 13… for further xdist workers) so that clearing it
    never touches real data or another worker's keys: schema names, and so cache keys, are the
    same in every worker's test database. Payment status queries and billing tasks the tests
    queue go to a queue of the run's own, deleted at the end, where no real worker ever looks."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    database = 15 - int(worker.removeprefix("gw") or 0) % 8
    location = re.sub(r"/\d+$", "", settings.REDIS_URL.rstrip("/")) + f"/{database}"
    caches = {"default": {**settings.CACHES["default"], "LOCATION": location}}
    queue = f"test-tasks-{worker}-{secrets.token_hex(4)}"
    with override_settings(
        CACHES=caches,
        PAYMENT_TASK_QUEUE=queue,
        BILLING_TASK_QUEUE=queue,
        FORECASTING_TASK_QUEUE=queue,
        NOTIFICATIONS_TASK_QUEUE=queue,
    ):
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
    transactional = is_transactional(request)

    def make(**overrides: str) -> Tenant:
        # Signup puts a business on the default plan, as in production: the plans must be there
        # even after a transactional test flushed them (a test of a Starter refusal needs them).
        ensure_catalog()
        tenant = tenant_signup(data=signup_data(**overrides))
        made.append(tenant.schema_name)
        if not transactional:
            # The spare refill the signup queued is the platform's, not the test's work: the
            # test database's spares are topped up between tests (top_up_spares), and a test
            # that runs or counts the outbox's tasks sees only what it queued itself.
            OutboxMessage.objects.filter(task_name=REFILL_TASK).delete()
        return tenant

    yield make
    if transactional:
        # Committed schemas outlive the table flush of transactional tests; drop them here.
        drop_schemas(made)


@pytest.fixture
def tenant_client() -> Callable[[Tenant], Client]:
    def make(tenant: Tenant) -> Client:
        return Client(HTTP_HOST=tenant_domain_for(tenant.slug))

    return make


@pytest.fixture
def root_client(public_tenant: Tenant) -> Client:
    return Client(HTTP_HOST=settings.PLATFORM_DOMAIN)


# --- people and credentials inside a business ------------------------------------------------

_staff_numbers = itertools.count(1)


@pytest.fixture
def business(make_tenant: Callable[..., Tenant]) -> Tenant:
    # On the unlimited plan with every feature: plan limits bite only in the tests about them
    # (tests/billing), which make their own businesses on the default plan.
    tenant = make_tenant(business_name="Alpha Traders")
    put_on_plan(tenant, "scale")
    return tenant


@pytest.fixture
def member() -> Callable[..., User]:
    """A staff member with ``role`` in ``tenant``'s schema, password STRONG_PASSWORD."""

    def make(tenant: Tenant, role: str, **fields: Any) -> User:
        email = fields.pop("email", f"{role}{next(_staff_numbers)}@staff.example.com")
        fields.setdefault("full_name", f"{role.title()} Person")
        with schema_context(tenant.schema_name):
            return User.objects.create_user(email, STRONG_PASSWORD, role=role, **fields)

    return make


@pytest.fixture
def jwt_client(tenant_client: Callable[[Tenant], Client]) -> Callable[[Tenant, str], Client]:
    """A client of ``tenant``'s host carrying the access token a password login would give
    ``email``, minted by the token service (tests/staff signs in over HTTP)."""

    def make(tenant: Tenant, email: str) -> Client:
        client = tenant_client(tenant)
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {access_token_for(tenant, email)}"
        return client

    return make


@pytest.fixture
def session_client(tenant_client: Callable[[Tenant], Client]) -> Callable[[Tenant, str], Client]:
    """A client of ``tenant``'s host signed in with a session (a page's browser) as ``email``."""

    def make(tenant: Tenant, email: str) -> Client:
        client = tenant_client(tenant)
        with schema_context(tenant.schema_name):
            # The session is stored in the business's own schema.
            client.force_login(User.objects.get(email__iexact=email))
        return client

    return make


@pytest.fixture
def owner_client(business: Tenant, jwt_client: Callable[[Tenant, str], Client]) -> Client:
    """A client of ``business`` signed in as its owner."""
    return jwt_client(business, business.owner_email)


@pytest.fixture
def staff_client(
    business: Tenant, member: Callable[..., User], jwt_client: Callable[[Tenant, str], Client]
) -> Callable[[str], Client]:
    """Makes a client of ``business`` signed in as a new staff member with ``role``."""

    def make(role: str) -> Client:
        return jwt_client(business, member(business, role).email)

    return make


@pytest.fixture
def cashier_client(staff_client: Callable[[str], Client]) -> Client:
    return staff_client(Role.CASHIER)


# --- goods and stock in a business ----------------------------------------------------------

_skus = itertools.count(1)


@pytest.fixture
def make_product(business: Tenant) -> Callable[..., Product]:
    """Makes a stocked product of ``business`` (a plain row with a cost price)."""

    def make(
        name: str = "Sugar 1kg", cost: str = "100", price: str = "150", **fields: Any
    ) -> Product:
        with tenant_context(business):
            return stocked_product(name, f"SKU-{next(_skus)}", cost, price=price, **fields)

    return make


@pytest.fixture
def store(business: Tenant) -> Location:
    with schema_context(business.schema_name):
        return Location.objects.get(code="STORE")


@pytest.fixture
def warehouse(business: Tenant) -> Location:
    with schema_context(business.schema_name):
        return Location.objects.get(code="WH")


@pytest.fixture
def receive(business: Tenant) -> Callable[..., None]:
    """Puts stock in as a batch at ``cost`` (the way purchasing receipts do)."""

    def add(
        product: Product, location: Location, quantity: str, cost: str = "100", **kw: Any
    ) -> None:
        with schema_context(business.schema_name):
            stock_receive(
                product=product,
                location=location,
                quantity=Decimal(quantity),
                unit_cost=Money(Decimal(cost), business.currency),
                reason=MovementReason.RECEIPT,
                reference="TEST",
                **kw,
            )

    return add


@pytest.fixture
def stock_of(business: Tenant) -> Callable[[Product, Location], tuple[Decimal, Decimal]]:
    def read(product: Product, location: Location) -> tuple[Decimal, Decimal]:
        with schema_context(business.schema_name):
            level = StockLevel.objects.filter(product=product, location=location).first()
            return (level.quantity, level.reserved) if level else (Decimal(0), Decimal(0))

    return read


# --- the Celery cluster ----------------------------------------------------------------------


@pytest.fixture
def broker(settings: Any) -> Iterator[PrivateRedis]:
    """A broker of the test's own (tests/support/brokers.py), where the outbox sends: the
    test may stop it and start it again."""
    private = PrivateRedis()
    private.start()
    settings.CELERY_BROKER_URL = private.url
    try:
        yield private
    finally:
        if private.answers():
            private.stop()


@pytest.fixture
def worker_queue() -> Iterator[str]:
    """A real Celery worker on a queue of its own (tests/support/workers.py)."""
    queue = f"test-{secrets.token_hex(4)}"
    worker = start_worker(queue)
    try:
        yield queue
    finally:
        stop_worker(worker)
