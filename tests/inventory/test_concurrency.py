"""Many threads moving the same stock at once lose no update and keep the invariant."""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connections
from django_tenants.utils import schema_context

from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.models import Product
from tenant_apps.inventory.errors import InsufficientStock
from tenant_apps.inventory.models import Location, MovementReason, StockLevel
from tenant_apps.inventory.selectors import stock_drift
from tenant_apps.inventory.services import (
    stock_adjust,
    transfer_create,
    transfer_dispatch,
    transfer_receive,
)
from tenant_apps.inventory.stock import stock_remove

THREADS = 8
ROUNDS = 15


@pytest.mark.django_db(transaction=True)
def test_concurrent_sales_adjustments_and_transfers(
    business: Tenant,
    make_product: Callable[..., Product],
    store: Location,
    warehouse: Location,
    receive: Callable[..., None],
) -> None:
    soda = make_product(name="Soda 500ml")
    receive(soda, store, "20")
    receive(soda, warehouse, "20")
    done: Counter[str] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def worker(seed: int) -> None:
        rng = random.Random(seed)  # noqa: S311 — a test's choice of operations
        barrier.wait()
        try:
            with schema_context(business.schema_name):
                for _ in range(ROUNDS):
                    action = rng.choice(["sale", "found", "damage", "transfer"])
                    try:
                        if action == "sale":
                            stock_remove(
                                product=soda,
                                location=store,
                                quantity=Decimal(1),
                                reason=MovementReason.SALE,
                            )
                        elif action == "found":
                            stock_adjust(
                                product=soda,
                                location=warehouse,
                                quantity=Decimal(1),
                                reason="correction",
                            )
                        elif action == "damage":
                            stock_adjust(
                                product=soda,
                                location=warehouse,
                                quantity=Decimal(-1),
                                reason="damage",
                            )
                        else:
                            transfer = transfer_create(
                                source=warehouse, destination=store, lines=[(soda, Decimal(2))]
                            )
                            transfer_dispatch(transfer_id=transfer.pk)
                            transfer_receive(transfer_id=transfer.pk)
                    except InsufficientStock:
                        action = f"refused-{action}"
                    with lock:
                        done[action] += 1
        except BaseException as exc:  # surfaced below: a thread must not fail silently
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    assert sum(done.values()) == THREADS * ROUNDS
    with schema_context(business.schema_name):
        levels = {lvl.location_id: lvl.quantity for lvl in StockLevel.objects.filter(product=soda)}
        assert stock_drift() == []
    # Every successful operation is accounted for: nothing lost, nothing counted twice.
    assert (
        levels[store.pk] + levels[warehouse.pk]
        == 40 - done["sale"] + done["found"] - done["damage"]
    )
    assert levels[store.pk] == 20 - done["sale"] + 2 * done["transfer"]
    assert min(levels.values()) >= 0
