"""Products for tests: through the catalog service, or as plain rows with a cost."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django_tenants.utils import tenant_context

from saas_platform.money import money
from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.models import Product, Unit
from tenant_apps.catalog.services import barcode_add, product_create


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
    """A product of ``tenant`` made by the catalog service, as the API would make it."""
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


def stocked_product(
    name: str, sku: str, cost: str, *, price: str | None = None, **fields: Any
) -> Product:
    """A product of the current business (call inside its context) with a standard cost, sold
    at ``price`` (twice the cost unless given): the stock, purchasing and ledger tests' goods."""
    return Product.objects.create(
        name=name,
        sku=sku,
        unit=Unit.objects.get(code="pc"),
        price=money(Decimal(cost) * 2 if price is None else price),
        cost_price=money(cost),
        **fields,
    )
