"""Catalog fixtures: an owner's client (products: tests/support/catalog.py)."""

from __future__ import annotations

import pytest
from django.test import Client

JSON = "application/json"


@pytest.fixture
def owner(owner_client: Client) -> Client:
    """The owner's client (tests/conftest.py), by the name the catalog tests use."""
    return owner_client
