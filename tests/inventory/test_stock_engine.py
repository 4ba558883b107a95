"""The stock engine: FIFO batches, movements for every change, no overselling, no edits."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django_tenants.utils import schema_context

from saas_platform.errors import ValidationFailed
from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.models import Product, ProductKind
from tenant_apps.inventory.errors import InsufficientStock
from tenant_apps.inventory.models import Batch, Location, MovementReason, StockMovement
from tenant_apps.inventory.selectors import stock_drift, stock_valuation
from tenant_apps.inventory.stock import stock_remove

pytestmark = pytest.mark.django_db


def test_removal_consumes_oldest_batches_first_at_their_cost(
    business: Tenant,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
) -> None:
    sugar = make_product()
    receive(sugar, store, "5", cost="90")
    receive(sugar, store, "10", cost="110")

    with schema_context(business.schema_name):
        consumed = stock_remove(
            product=sugar, location=store, quantity=Decimal("7"), reason=MovementReason.SALE
        )
        remaining = list(Batch.objects.order_by("pk").values_list("quantity_remaining", flat=True))
        movements = list(
            StockMovement.objects.filter(reason="sale")
            .order_by("pk")
            .values_list("quantity", "unit_cost")
        )
        valuation = stock_valuation()

    assert [(c.quantity, c.batch.unit_cost.amount) for c in consumed] == [
        (Decimal("5"), Decimal("90")),
        (Decimal("2"), Decimal("110")),
    ]
    assert remaining == [Decimal("0"), Decimal("8")]
    assert movements == [(Decimal("-5"), Decimal("90")), (Decimal("-2"), Decimal("110"))]
    assert valuation[0].quantity == Decimal("8")
    assert valuation[0].value == Decimal("880")


def test_short_stock_is_refused_and_nothing_changes(
    business: Tenant,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
    stock_of: Callable[..., tuple[Decimal, Decimal]],
) -> None:
    sugar = make_product()
    receive(sugar, store, "3")

    with schema_context(business.schema_name), pytest.raises(InsufficientStock):
        stock_remove(product=sugar, location=store, quantity=Decimal("4"), reason="sale")

    assert stock_of(sugar, store) == (Decimal("3"), Decimal("0"))
    with schema_context(business.schema_name):
        assert StockMovement.objects.count() == 1


def test_services_hold_no_stock(
    business: Tenant,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
) -> None:
    airtime = make_product(name="Airtime", kind=ProductKind.SERVICE)

    with pytest.raises(ValidationFailed):
        receive(airtime, store, "1")


def test_movements_cannot_be_edited_or_deleted(
    business: Tenant,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
) -> None:
    receive(make_product(), store, "2")

    with schema_context(business.schema_name):
        for sql in (
            "UPDATE inventory_stockmovement SET quantity = 99",
            "DELETE FROM inventory_stockmovement",
        ):
            with (
                pytest.raises(DatabaseError, match="permanent"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(sql)
        assert StockMovement.objects.get().quantity == Decimal("2")


def test_drift_is_detected(
    business: Tenant,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
) -> None:
    sugar = make_product()
    receive(sugar, store, "4")
    with schema_context(business.schema_name):
        assert stock_drift() == []
        with connection.cursor() as cursor:
            cursor.execute("UPDATE inventory_stocklevel SET quantity = 5")
        (drift,) = stock_drift()

    assert (drift.level, drift.movements, drift.batches) == (
        Decimal("5"),
        Decimal("4"),
        Decimal("4"),
    )
