"""Inventory tests: a manager's client and a poster (products and stock: tests/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.support.urls import tenant_path


@pytest.fixture
def manager_client(owner_client: Client) -> Client:
    """The owner's client (tests/conftest.py): the owner manages the stock."""
    return owner_client


def post(client: Client, route: str, body: dict[str, Any] | None = None, **ids: Any) -> Any:
    return client.post(tenant_path(route, **ids), body or {}, content_type="application/json")
