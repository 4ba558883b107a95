"""Products and stock for inventory tests, made through the real models and services."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import schema_context
from moneyed import Money

from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.models import Product, Unit
from tenant_apps.inventory.models import Location, MovementReason, StockLevel
from tenant_apps.inventory.stock import stock_receive

_skus = itertools.count(1)


@pytest.fixture
def make_product(business: Tenant) -> Callable[..., Product]:
    def make(
        name: str = "Sugar 1kg", cost: str = "100", price: str = "150", **fields: Any
    ) -> Product:
        with schema_context(business.schema_name):
            return Product.objects.create(
                name=name,
                sku=f"SKU-{next(_skus)}",
                unit=Unit.objects.get(code="pc"),
                price=Money(Decimal(price), business.currency),
                cost_price=Money(Decimal(cost), business.currency),
                **fields,
            )

    return make


@pytest.fixture
def store(business: Tenant) -> Location:
    with schema_context(business.schema_name):
        return Location.objects.get(code="STORE")


@pytest.fixture
def warehouse(business: Tenant) -> Location:
    with schema_context(business.schema_name):
        return Location.objects.get(code="WH")


@pytest.fixture
def receive(business: Tenant) -> Callable[..., None]:
    """Puts stock in as a batch at ``cost`` (the way purchasing receipts do)."""

    def add(
        product: Product, location: Location, quantity: str, cost: str = "100", **kw: Any
    ) -> None:
        with schema_context(business.schema_name):
            stock_receive(
                product=product,
                location=location,
                quantity=Decimal(quantity),
                unit_cost=Money(Decimal(cost), business.currency),
                reason=MovementReason.RECEIPT,
                reference="TEST",
                **kw,
            )

    return add


@pytest.fixture
def stock_of(business: Tenant) -> Callable[[Product, Location], tuple[Decimal, Decimal]]:
    def read(product: Product, location: Location) -> tuple[Decimal, Decimal]:
        with schema_context(business.schema_name):
            level = StockLevel.objects.filter(product=product, location=location).first()
            return (level.quantity, level.reserved) if level else (Decimal(0), Decimal(0))

    return read


@pytest.fixture
def manager_client(business: Tenant, jwt_client: Callable[[Tenant, str], Client]) -> Client:
    return jwt_client(business, business.owner_email)


def post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(f"/api/v1/inventory/{path}", body or {}, content_type="application/json")
