"""Catalog fixtures: an owner's client (products: tests/support/catalog.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from shared_apps.tenants.models import Tenant
from tests.support.catalog import make_product, product_count, unit_id

# Kept importable from here for modules written before tests/support existed.
__all__ = ["JSON", "make_product", "product_count", "unit_id"]

JSON = "application/json"


@pytest.fixture
def owner(business: Tenant, jwt_client: Callable[[Tenant, str], Client]) -> Client:
    return jwt_client(business, business.owner_email)
