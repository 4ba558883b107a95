"""Inventory tests: a manager's client and a poster (products and stock: tests/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client


@pytest.fixture
def manager_client(owner_client: Client) -> Client:
    """The owner's client (tests/conftest.py): the owner manages the stock."""
    return owner_client


def post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(f"/api/v1/inventory/{path}", body or {}, content_type="application/json")
