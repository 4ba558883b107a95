"""Carts and checkout requests for the sales tests."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.test import Client
from django_tenants.utils import tenant_context
from moneyed import Money

from shared_apps.tenants.models import Tenant
from tenant_apps.sales.models import Register
from tenant_apps.sales.services.tills import shift_open
from tests.support.people import owner_of
from tests.support.urls import tenant_path


def open_shift_of(tenant: Tenant, till: Register, opening_float: str = "1000") -> int:
    """Opens a shift at ``till`` as its owner would, through the service the API calls
    (tests/sales/test_registers.py opens them over HTTP)."""
    owner = owner_of(tenant)
    with tenant_context(tenant):
        shift = shift_open(
            register_id=till.pk,
            opening_float=Money(Decimal(opening_float), tenant.currency),
            actor=owner,
        )
    return int(shift.pk)


def checkout(client: Client, body: dict[str, Any]) -> Any:
    return client.post(tenant_path("sales:sale-checkout"), body, content_type="application/json")


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
