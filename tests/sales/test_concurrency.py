"""The acceptance races: many tills selling the last units, and one sale sent twice at once."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connections
from django.test import Client
from django_tenants.utils import schema_context

from saas_platform.tenancy import business_today
from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.models import Product
from tenant_apps.inventory.models import Location, StockMovement
from tenant_apps.inventory.selectors import stock_drift
from tenant_apps.ledger.models import JournalEntry
from tenant_apps.ledger.selectors import trial_balance
from tenant_apps.sales.models import Register, Sale
from tests.support.sales import cart, checkout


def _race(clients: list[Client], bodies: list[dict[str, Any]]) -> list[Any]:
    barrier = threading.Barrier(len(bodies))
    responses: list[Any] = [None] * len(bodies)
    failures: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            responses[index] = checkout(clients[index % len(clients)], bodies[index])
        except BaseException as exc:  # surfaced below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert failures == []
    return responses


def _clients(cashier_client: Client, count: int) -> list[Client]:
    clients = []
    for _ in range(count):
        client = Client(HTTP_HOST=cashier_client.defaults["HTTP_HOST"])
        client.defaults["HTTP_AUTHORIZATION"] = cashier_client.defaults["HTTP_AUTHORIZATION"]
        clients.append(client)
    return clients


@pytest.mark.django_db(transaction=True)
def test_fifty_tills_racing_for_ten_units(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
    stock_of: Callable[..., Any],
) -> None:
    cola = make_product(name="Cola", price="80", cost="50")
    receive(cola, store, "10", cost="50")
    bodies = [cart(till, (cola.pk, "1")) for _ in range(50)]

    responses = _race(_clients(cashier_client, 10), bodies)

    outcomes = Counter(r.status_code for r in responses)
    assert outcomes == {201: 10, 409: 40}
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 409} == {
        "insufficient_stock"
    }
    assert stock_of(cola, store) == (Decimal(0), Decimal(0))
    with schema_context(business.schema_name):
        numbers = sorted(n or 0 for n in Sale.objects.values_list("receipt_number", flat=True))
        assert numbers == list(range(1, 11))  # none skipped, none repeated
        assert JournalEntry.objects.filter(source="sale").count() == 10
        balance = trial_balance(as_of=business_today())
        assert balance.total_debit == balance.total_credit
        assert stock_drift() == []


@pytest.mark.django_db(transaction=True)
def test_one_sale_sent_eight_times_at_once(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
    stock_of: Callable[..., Any],
) -> None:
    chips = make_product(name="Chips", price="40")
    receive(chips, store, "5")
    body = cart(till, (chips.pk, "2"))

    responses = _race(_clients(cashier_client, 8), [body] * 8)

    assert sorted(r.status_code for r in responses) == [200] * 7 + [201]
    assert {r.json()["uuid"] for r in responses} == {body["uuid"]}
    assert stock_of(chips, store) == (Decimal(3), Decimal(0))
    with schema_context(business.schema_name):
        assert Sale.objects.count() == 1
        assert StockMovement.objects.filter(reference=body["uuid"]).count() == 1
