"""Billing fixtures: the seeded catalog, a platform owner's client on the root domain, and the
local fakes of Stripe and Paystack."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from devtools.billing_fakes import BillingFakes, start_billing_fakes
from saas_platform.tenancy import use_public_schema
from shared_apps.tenants.models import Tenant
from shared_apps.users.models import User
from tests.support.billing import ensure_catalog
from tests.support.tenants import STRONG_PASSWORD


@pytest.fixture(autouse=True)
def catalog(db: None) -> None:
    # Before any business is made: signup starts the trial on the default plan.
    ensure_catalog()


@pytest.fixture
def console(public_tenant: Tenant) -> Client:
    use_public_schema()
    boss = User.objects.create_user(
        "boss@duka.example", STRONG_PASSWORD, full_name="Platform Boss", is_platform_owner=True
    )
    client = Client(HTTP_HOST=settings.PLATFORM_DOMAIN)
    client.force_login(boss)
    return client


@pytest.fixture
def starter_shop(make_tenant: Callable[..., Tenant]) -> Tenant:
    """A business as signup leaves it: trialing on the default plan (Starter)."""
    return make_tenant(business_name="Starter Shop")


@pytest.fixture
def starter_owner(starter_shop: Tenant, jwt_client: Callable[[Tenant, str], Client]) -> Client:
    return jwt_client(starter_shop, starter_shop.owner_email)


# --- Billing gateways: the local fakes of Stripe and Paystack ---------------------------------


@pytest.fixture(scope="session")
def billing_fakes_server() -> Iterator[BillingFakes]:
    """One server of both fakes per test process (they start in milliseconds, but there is no
    need to start one per test); ``billing_fakes`` empties it for each test."""
    fakes = start_billing_fakes(port=0)
    try:
        yield fakes
    finally:
        fakes.stop()


@pytest.fixture
def billing_fakes(billing_fakes_server: BillingFakes, settings: Any) -> BillingFakes:
    """The fakes, emptied, with no webhook URL (events stay in each fake's ``outbox``), and the
    platform's gateway settings pointing at them for this test."""
    billing_fakes_server.reset()
    billing_fakes_server.stripe.webhook_url = ""
    billing_fakes_server.paystack.webhook_url = ""
    for name, value in billing_fakes_server.settings().items():
        setattr(settings, name, value)
    return billing_fakes_server
