"""Console fixtures: platform owners live in the public schema, where the connection starts."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from saas_platform.tenancy import use_public_schema
from shared_apps.tenants.models import Tenant
from shared_apps.users.models import User
from tests.support.billing import ensure_catalog
from tests.support.tenants import STRONG_PASSWORD

OWNER_EMAIL = "boss@duka.example"


@pytest.fixture(autouse=True)
def catalog(db: None) -> None:
    # The console shows each business's plan: signup starts the trial on the default plan.
    ensure_catalog()


@pytest.fixture
def platform_owner(public_tenant: Tenant) -> User:
    use_public_schema()
    return User.objects.create_user(
        OWNER_EMAIL, STRONG_PASSWORD, full_name="Platform Boss", is_platform_owner=True
    )


@pytest.fixture
def owner_client(platform_owner: User) -> Client:
    client = Client(HTTP_HOST=settings.PLATFORM_DOMAIN)
    client.force_login(platform_owner)
    return client


@pytest.fixture
def add_staff() -> Callable[..., User]:
    def add(tenant: Tenant, email: str, *, is_active: bool = True) -> User:
        with schema_context(tenant.schema_name):
            return User.objects.create_user(
                email, STRONG_PASSWORD, full_name="Staff Member", is_active=is_active
            )

    return add


def bare_tenant(slug: str, *, status: str = "active") -> Tenant:
    """A tenant row and a schema holding only the users table.

    Signing up fifty-one businesses through the real service would take most of a minute; the
    console reads nothing from a tenant schema but its users table.
    """
    schema = f"t_{slug.replace('-', '_')}"
    tenant = Tenant.objects.create(
        schema_name=schema,
        slug=slug,
        name=slug.replace("-", " ").title(),
        status=status,
        country="KE",
        currency="KES",
        time_zone="Africa/Nairobi",
    )
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{schema}"')
        cursor.execute(f'CREATE TABLE "{schema}".users_user (LIKE public.users_user)')
    return tenant
