"""Stock for the demo business: opening balances, thresholds, an expiring batch, a transfer."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from saas_platform.tenancy import business_today
from shared_apps.users.models import User
from tenant_apps.catalog.models import Product, ProductKind
from tenant_apps.inventory.models import Location, MovementReason, StockMovement
from tenant_apps.inventory.services import (
    stock_opening_balance,
    stock_threshold_set,
    transfer_create,
    transfer_dispatch,
)
from tenant_apps.inventory.stock import stock_receive


def seed_demo_stock(*, actor: User) -> None:
    """Idempotent: does nothing once the demo business has any stock movement."""
    if StockMovement.objects.exists():
        return
    rng = random.Random(2026)  # noqa: S311 — demo data, reproducible
    store = Location.objects.get(code="STORE")
    warehouse = Location.objects.get(code="WH")
    sellable = list(
        Product.objects.filter(
            kind=ProductKind.STOCK, is_active=True, variants__isnull=True
        ).order_by("pk")
    )
    for product in sellable:
        stock_opening_balance(
            product=product, location=warehouse, quantity=Decimal(rng.randint(20, 120)), actor=actor
        )
        on_shelf = Decimal(rng.randint(0, 30))
        if on_shelf:
            stock_opening_balance(product=product, location=store, quantity=on_shelf, actor=actor)
        stock_threshold_set(
            product=product, location=store, threshold=Decimal(rng.choice([5, 8, 10]))
        )
    if not sellable:
        return
    perishable = sellable[0]
    stock_receive(
        product=perishable,
        location=store,
        quantity=Decimal(12),
        unit_cost=perishable.cost_price,
        reason=MovementReason.RECEIPT,
        reference="DEMO-PERISHABLE",
        lot_code="LOT-DEMO-1",
        expires_on=business_today() + timedelta(days=5),
        actor=actor,
    )
    restock = transfer_create(
        source=warehouse,
        destination=store,
        lines=[(product, Decimal(6)) for product in sellable[1:4]],
        note="Weekly shelf restock",
        actor=actor,
    )
    transfer_dispatch(transfer_id=restock.pk, actor=actor)
