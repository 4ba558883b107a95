"""Staff of a business and their credentials."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django_tenants.utils import schema_context

from shared_apps.tenants.models import Tenant
from shared_apps.users.models import User
from tenant_apps.staff.services import api_key_create
from tenant_apps.staff.tokens import refresh_token_for
from tests.support.tenants import STRONG_PASSWORD
from tests.support.urls import tenant_path


def owner_of(tenant: Tenant) -> User:
    with schema_context(tenant.schema_name):
        return User.objects.get(email=tenant.owner_email)


def login(client: Client, email: str, password: str = STRONG_PASSWORD) -> Any:
    """Signs in over HTTP, as a till or an integrator does (the login tests use it)."""
    return client.post(
        tenant_path("staff:auth-login"),
        {"email": email, "password": password},
        content_type="application/json",
    )


def access_token_for(tenant: Tenant, email: str) -> str:
    """The access token a password login at ``tenant`` would give ``email``, minted by the
    token service the login endpoint uses (same claims: schema, role, sign-in method)."""
    with schema_context(tenant.schema_name):
        user = User.objects.get(email__iexact=email)
        # The login endpoint would refuse anyone else.
        assert user.is_active, f"{email} is not active and could not sign in"
        return str(refresh_token_for(user).access_token)


def issue_api_key(tenant: Tenant, scopes: list[str], **options: Any) -> str:
    """A new API key of ``tenant`` with ``scopes``, made by its owner; returns the key."""
    with schema_context(tenant.schema_name):
        return api_key_create(
            actor=owner_of(tenant), name="Shop sync", scopes=scopes, **options
        ).key
