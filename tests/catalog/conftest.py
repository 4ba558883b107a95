"""Catalog fixtures: an owner's client, and products made through the real services."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.models import Product, Unit
from tenant_apps.catalog.services import barcode_add, product_create

JSON = "application/json"


@pytest.fixture
def owner(business: Tenant, jwt_client: Callable[[Tenant, str], Client]) -> Client:
    return jwt_client(business, business.owner_email)


def unit_id(tenant: Tenant, code: str = "pc") -> int:
    with tenant_context(tenant):
        return Unit.objects.get(code=code).pk


def make_product(
    tenant: Tenant,
    sku: str,
    name: str,
    *,
    price: str = "10",
    barcodes: tuple[str, ...] = (),
    **fields: Any,
) -> Product:
    with tenant_context(tenant):
        values = {
            "name": name,
            "sku": sku,
            "unit_id": Unit.objects.get(code=fields.pop("unit", "pc")).pk,
            "price": Decimal(price),
            **fields,
        }
        product = product_create(fields=values)  # type: ignore[arg-type]
        for code in barcodes:
            barcode_add(product_id=product.pk, code=code)
        return product


def product_count(tenant: Tenant) -> int:
    with tenant_context(tenant):
        return Product.objects.count()
