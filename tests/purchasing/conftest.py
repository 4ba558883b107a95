"""A business with stock products, a supplier and staff clients, for the purchasing tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from shared_apps.tenants.models import Tenant
from shared_apps.users.models import User
from tenant_apps.catalog.models import Product, ProductKind
from tenant_apps.inventory.models import Batch, Location, StockLevel, StockMovement
from tenant_apps.purchasing.models import PurchaseOrder, Supplier
from tenant_apps.purchasing.services import (
    OrderLineInput,
    purchase_order_create,
    purchase_order_place,
    supplier_create,
)
from tests.support.catalog import stocked_product


@dataclass
class Shop:
    tenant: Tenant
    warehouse: Location
    sugar: Product
    rice: Product
    delivery: Product  # a service
    shirt: Product  # a parent with variants
    supplier: Supplier


@pytest.fixture
def shop(business: Tenant) -> Shop:
    with tenant_context(business):
        shirt = stocked_product("Shirt", "SHIRT", "300.00")
        stocked_product("Shirt M", "SHIRT-M", "300.00", variant_of=shirt)
        return Shop(
            tenant=business,
            warehouse=Location.objects.get(kind="warehouse", is_default=True),
            sugar=stocked_product("Sugar 1 kg", "SUGAR-1", "120.00"),
            rice=stocked_product("Rice 2 kg", "RICE-2", "250.00"),
            delivery=stocked_product("Delivery", "DELIVERY", "0", kind=ProductKind.SERVICE),
            shirt=shirt,
            supplier=supplier_create(
                name="Mombasa Wholesalers", payment_terms_days=30, lead_time_days=5
            ),
        )


@pytest.fixture
def warehouse_user(shop: Shop, member: Callable[..., User]) -> User:
    return member(shop.tenant, "warehouse")


@pytest.fixture
def api(
    shop: Shop,
    warehouse_user: User,
    jwt_client: Callable[[Tenant, str], Client],
) -> Client:
    """A warehouse clerk signed in at the shop's host."""
    return jwt_client(shop.tenant, warehouse_user.email)


def placed_order(shop: Shop, *lines: tuple[Product, str, str]) -> PurchaseOrder:
    """An order placed with the supplier: (product, quantity, unit cost) per line."""
    with tenant_context(shop.tenant):
        order = purchase_order_create(
            supplier_id=shop.supplier.pk,
            destination_id=shop.warehouse.pk,
            lines=[
                OrderLineInput(product_id=p.pk, quantity=Decimal(q), unit_cost=Decimal(c))
                for p, q, c in lines
            ],
            actor=None,
        )
        return purchase_order_place(order_id=order.pk)


@dataclass(frozen=True)
class StockState:
    levels: list[tuple[int, Decimal]]
    batches: int
    movements: int


def stock_state(shop: Shop) -> StockState:
    with tenant_context(shop.tenant):
        return StockState(
            levels=sorted(StockLevel.objects.values_list("product_id", "quantity")),
            batches=Batch.objects.count(),
            movements=StockMovement.objects.count(),
        )


def post(client: Client, url: str, body: object | None = None) -> Any:
    return client.post(url, body or {}, content_type="application/json")
