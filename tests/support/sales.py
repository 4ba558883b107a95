"""Carts and checkout requests for the sales tests."""

from __future__ import annotations

import itertools
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context
from moneyed import Money

from shared_apps.tenants.models import Tenant
from shared_apps.users.models import User
from tenant_apps.sales.models import Register, Sale, SaleStatus
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


_row_receipts = itertools.count(1)


def sale_row(till: Register, cashier: User, **fields: Any) -> Sale:
    """A completed sale of 250 KES an hour ago written as a row, for the tests that read what
    sales leave behind (reports, anomaly signals) rather than how checkout makes them;
    ``fields`` override any column (status, voided_at, discount_total...)."""
    currency = "KES"  # the test business's
    zero = Money(Decimal(0), currency)
    total = Money(Decimal("250"), currency)
    return Sale.objects.create(
        register=till,
        status=fields.pop("status", SaleStatus.COMPLETED),
        receipt_number=next(_row_receipts),
        cashier=cashier,
        prices_include_tax=True,
        subtotal=total,
        discount_total=fields.pop("discount_total", zero),
        tax_total=zero,
        total=total,
        paid_total=total,
        change_due=zero,
        cost_total=zero,
        completed_at=timezone.now() - timedelta(hours=1),
        **fields,
    )
