"""Catalog fixtures: an owner's client (products: tests/support/catalog.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from shared_apps.tenants.models import Tenant

JSON = "application/json"


@pytest.fixture
def owner(business: Tenant, jwt_client: Callable[[Tenant, str], Client]) -> Client:
    return jwt_client(business, business.owner_email)
