"""``?updated_since=`` on the lists an integrator syncs: products, customers, sales, stock levels,
payments and suppliers (saas_platform/api/sync.py, docs/api.md "Syncing")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from saas_platform.money import money
from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.models import Product
from tenant_apps.catalog.services import barcode_add, product_set_active, tax_rate_update
from tenant_apps.customers.models import Customer, PaymentMethod
from tenant_apps.customers.services import customer_create, customer_payment_receive
from tenant_apps.inventory.models import Location, MovementReason
from tenant_apps.inventory.services import reservation_create, stock_threshold_set
from tenant_apps.inventory.stock import stock_remove
from tenant_apps.purchasing.services import supplier_create
from tests.support.catalog import make_product as catalog_product
from tests.support.people import owner_of
from tests.support.urls import tenant_path

pytestmark = pytest.mark.django_db

SYNCED = [
    tenant_path("catalog:product-list"),
    tenant_path("customers:customer-list"),
    tenant_path("sales:sale-list"),
    tenant_path("inventory:stock-list"),
    tenant_path("payments:payment-list"),
    tenant_path("purchasing:supplier-list"),
]


def since(moment: datetime) -> dict[str, str]:
    return {"updated_since": moment.isoformat()}


def rows(client: Client, url: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:300]
    return list(response.json()["results"])


@pytest.mark.parametrize("url", SYNCED)
def test_a_time_without_its_offset_is_refused_not_guessed(owner_client: Client, url: str) -> None:
    naive = owner_client.get(url, {"updated_since": "2026-05-01T08:00:00"})
    not_a_time = owner_client.get(url, {"updated_since": "yesterday", "limit": "0"})
    later = owner_client.get(url, since(timezone.now() + timedelta(days=1)))

    assert naive.status_code == 400
    assert naive.json()["error"]["fields"]["updated_since"][0]["code"] == "naive_datetime"
    assert not_a_time.status_code == 400
    assert set(not_a_time.json()["error"]["fields"]) == {"updated_since", "limit"}
    assert (later.status_code, later.json()["results"]) == (200, [])


def test_products_changed_since_include_withdrawn_ones_and_variants(
    owner_client: Client, business: Tenant
) -> None:
    unchanged = catalog_product(business, "OLD", "Old Stock")
    start = timezone.now()
    withdrawn = catalog_product(business, "GONE", "Withdrawn")
    parent = catalog_product(business, "TEE", "T-shirt")
    variant = catalog_product(business, "TEE-M", "T-shirt M", variant_of_id=parent.pk)
    with tenant_context(business):
        product_set_active(product_id=withdrawn.pk, active=False)

    changed = rows(owner_client, tenant_path("catalog:product-list"), **since(start))

    assert [row["sku"] for row in changed] == ["TEE", "TEE-M", "GONE"]
    assert changed[-1]["is_active"] is False
    assert changed[0]["updated_at"] <= changed[1]["updated_at"] <= changed[2]["updated_at"]
    assert unchanged.sku not in {row["sku"] for row in changed}
    assert variant.pk == changed[1]["id"]


def test_what_a_product_shows_moves_it_on(owner_client: Client, business: Tenant) -> None:
    scanned = catalog_product(business, "SCAN", "Scanned")
    taxed = catalog_product(business, "TAXED", "Taxed")
    start = timezone.now()
    with tenant_context(business):
        barcode_add(product_id=scanned.pk, code="5901234123457")
        rate = Product.objects.get(pk=taxed.pk).tax_rate
        assert rate is not None
        tax_rate_update(tax_rate_id=rate.pk, changes={"name": "VAT, renamed"})

    changed = rows(owner_client, tenant_path("catalog:product-list"), **since(start))

    assert {"SCAN", "TAXED"} <= {row["sku"] for row in changed}


def test_a_sync_reads_every_change_once_page_by_page(
    owner_client: Client, business: Tenant
) -> None:
    start = timezone.now()
    for number in range(5):
        catalog_product(business, f"P{number}", f"Product {number}")

    seen: list[str] = []
    page = owner_client.get(
        tenant_path("catalog:product-list"), {**since(start), "limit": "2"}
    ).json()
    while True:
        seen += [row["sku"] for row in page["results"]]
        if page["next"] is None:
            break
        assert "updated_since=" in page["next"]
        page = owner_client.get(page["next"]).json()

    assert seen == ["P0", "P1", "P2", "P3", "P4"]


def test_a_change_made_while_a_client_pages_is_not_lost(
    owner_client: Client, business: Tenant
) -> None:
    start = timezone.now()
    made = [catalog_product(business, f"P{number}", f"Product {number}") for number in range(4)]
    first = owner_client.get(
        tenant_path("catalog:product-list"), {**since(start), "limit": "2"}
    ).json()
    # The first product changes again: it moves to the end, and nothing slips past the client.
    with tenant_context(business):
        product_set_active(product_id=made[0].pk, active=False)

    seen = [row["sku"] for row in first["results"]]
    page = owner_client.get(first["next"]).json()
    while True:
        seen += [row["sku"] for row in page["results"]]
        if page["next"] is None:
            break
        page = owner_client.get(page["next"]).json()

    assert seen == ["P0", "P1", "P2", "P3", "P0"]


def test_stock_levels_move_on_with_every_change_of_stock(
    owner_client: Client,
    business: Tenant,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
) -> None:
    received, sold, reserved, watched = (make_product(name=n) for n in "ABCD")
    for product in (received, sold, reserved, watched):
        receive(product, store, "10")
    start = timezone.now()
    receive(received, store, "5")
    with tenant_context(business):
        stock_remove(product=sold, location=store, quantity=Decimal(1), reason=MovementReason.SALE)
        reservation_create(
            product=reserved,
            location=store,
            quantity=Decimal(2),
            expires_at=timezone.now() + timedelta(hours=1),
            actor=owner_of(business),
        )
        stock_threshold_set(product=watched, location=store, threshold=Decimal(3))

    changed = rows(owner_client, tenant_path("inventory:stock-list"), **since(start))

    assert [row["product"]["id"] for row in changed] == [
        product.pk for product in (received, sold, reserved, watched)
    ]


def test_a_customer_moves_on_when_their_balance_does(
    owner_client: Client, business: Tenant
) -> None:
    with tenant_context(business):
        quiet = customer_create(name="Quiet")
        paying = customer_create(name="Paying", credit_limit=money("1000"))
    start = timezone.now()
    with tenant_context(business):
        customer_payment_receive(
            customer_id=paying.pk,
            amount=money("50"),
            method=PaymentMethod.CASH,
            reference="",
            key=None,
            actor=owner_of(business),
        )
        stored = Customer.objects.get(pk=paying.pk)

    changed = rows(owner_client, tenant_path("customers:customer-list"), **since(start))

    assert [row["id"] for row in changed] == [paying.pk]
    assert changed[0]["balance"]["amount"] == "-50.00"
    assert stored.updated_at >= start
    assert quiet.pk not in {row["id"] for row in changed}


def test_suppliers_and_payments_take_it_too(owner_client: Client, business: Tenant) -> None:
    with tenant_context(business):
        supplier_create(name="Before")
    start = timezone.now()
    with tenant_context(business):
        supplier_create(name="After")

    suppliers = rows(owner_client, tenant_path("purchasing:supplier-list"), **since(start))
    payments = owner_client.get(tenant_path("payments:payment-list"), since(start)).json()

    assert [row["name"] for row in suppliers] == ["After"]
    assert "updated_at" in suppliers[0]
    assert (payments["count"], payments["results"]) == (0, [])
