"""A business with a till, an open shift and stock, and a cashier's client, for sales tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from shared_apps.tenants.models import Tenant
from shared_apps.users.models import Role
from tenant_apps.sales.models import Register
from tests.support.sales import amount, cart, checkout, open_shift_of

# Kept importable from here for the sales test modules.
__all__ = ["amount", "cart", "checkout"]


@pytest.fixture
def till(business: Tenant) -> Register:
    with schema_context(business.schema_name):
        return Register.objects.get(code="TILL1")


@pytest.fixture
def owner_client(business: Tenant, jwt_client: Callable[[Tenant, str], Client]) -> Client:
    return jwt_client(business, business.owner_email)


@pytest.fixture
def cashier_client(
    business: Tenant, member: Callable[..., Any], jwt_client: Callable[[Tenant, str], Client]
) -> Client:
    cashier = member(business, Role.CASHIER)
    return jwt_client(business, cashier.email)


@pytest.fixture
def open_shift(business: Tenant, till: Register) -> int:
    """The till's shift, opened by the owner with a float of 1000."""
    return open_shift_of(business, till)
