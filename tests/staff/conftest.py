"""Fixtures for people and credentials inside a business's schema."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from shared_apps.tenants.models import Tenant
from shared_apps.users.models import User
from tests.conftest import STRONG_PASSWORD

_numbers = itertools.count(1)


@pytest.fixture
def business(make_tenant: Callable[..., Tenant]) -> Tenant:
    return make_tenant(business_name="Alpha Traders")


@pytest.fixture
def member() -> Callable[..., User]:
    """A staff member with ``role`` in ``tenant``'s schema, password STRONG_PASSWORD."""

    def make(tenant: Tenant, role: str, **fields: Any) -> User:
        email = fields.pop("email", f"{role}{next(_numbers)}@staff.example.com")
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
