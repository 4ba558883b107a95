"""A business with a till, an open shift and stock, and a cashier's client, for sales tests."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from shared_apps.tenants.models import Tenant
from shared_apps.users.models import Role
from tenant_apps.sales.models import Register
from tests.inventory.conftest import make_product, receive, stock_of, store

__all__ = ["make_product", "receive", "stock_of", "store"]


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
def open_shift(till: Register, owner_client: Client) -> int:
    response = owner_client.post(
        f"/api/v1/sales/registers/{till.pk}/shifts/",
        {"opening_float": "1000"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def checkout(client: Client, body: dict[str, Any]) -> Any:
    return client.post("/api/v1/sales/checkout/", body, content_type="application/json")


def cart(till: Register, *lines: tuple[int, str], tenders: list[dict[str, Any]] | None = None,
         **extra: Any) -> dict[str, Any]:  # fmt: skip
    return {
        "uuid": str(uuid.uuid4()),
        "register": till.pk,
        "lines": [{"product": product, "quantity": qty} for product, qty in lines],
        "tenders": tenders if tenders is not None else [{"method": "cash", "amount": "100000"}],
        **extra,
    }


def amount(value: dict[str, str]) -> Decimal:
    return Decimal(value["amount"])
