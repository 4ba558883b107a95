"""The till and its open shift, for the sales tests (clients and stock: tests/conftest.py)."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from shared_apps.tenants.models import Tenant
from tenant_apps.sales.models import Register
from tests.support.sales import open_shift_of


@pytest.fixture
def till(business: Tenant) -> Register:
    with schema_context(business.schema_name):
        return Register.objects.get(code="TILL1")


@pytest.fixture
def open_shift(business: Tenant, till: Register) -> int:
    """The till's shift, opened by the owner with a float of 1000."""
    return open_shift_of(business, till)
