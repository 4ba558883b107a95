"""The terminal's catalog snapshot: compact rows, gzipped, deltas by updated_since that carry
deactivations, customers only for roles that may see them; the page and its service worker."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared_apps.tenants.models import Tenant
from shared_apps.users.models import Role
from tenant_apps.catalog.models import Product
from tenant_apps.catalog.services import barcode_add, product_set_active
from tenant_apps.customers.services import customer_create
from tests.support.catalog import make_product

URL = "/api/v1/terminal/snapshot/"


def _rows(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.content
    return dict(response.json())


def test_full_snapshot_has_active_products_with_codes_and_tax(
    business: Tenant, cashier_client: Client
) -> None:
    soda = make_product(business, "SODA", "Soda", price="65.50", barcodes=("6001234567899",))
    gone = make_product(business, "OLD", "Old soap", price="20")
    with tenant_context(business):
        product_set_active(product_id=gone.pk, active=False)

    data = _rows(cashier_client.get(URL))

    assert data["full"] is True
    assert data["currency"] == "KES" and data["places"] == 2
    [row] = data["products"]
    assert row[:4] == [soda.pk, "Soda", "SODA", "65.5"]
    assert row[6] & 1  # active
    assert row[7] == "6001234567899"
    assert [rate[1] for rate in data["tax_rates"] if rate[0] == row[4]] == ["16"]
    assert data["customers"] == []  # none yet (a cashier may see them)


def test_delta_carries_changes_and_deactivations_only(
    business: Tenant, cashier_client: Client
) -> None:
    kept = make_product(business, "KEPT", "Kept")
    dropped = make_product(business, "DROP", "Dropped")
    with tenant_context(business):
        # Both were saved long ago; only the deactivation is news.
        Product.objects.update(updated_at=timezone.now() - timedelta(days=1))
        product_set_active(product_id=dropped.pk, active=False)
    since = (timezone.now() - timedelta(hours=1)).isoformat()

    data = _rows(cashier_client.get(URL, {"updated_since": since}))

    assert data["full"] is False
    assert [(row[0], row[6] & 1) for row in data["products"]] == [(dropped.pk, 0)]
    assert kept.pk not in [row[0] for row in data["products"]]


def test_a_new_barcode_is_news_for_the_delta(business: Tenant, cashier_client: Client) -> None:
    soda = make_product(business, "SODA", "Soda")
    with tenant_context(business):
        Product.objects.update(updated_at=timezone.now() - timedelta(days=1))
        barcode_add(product_id=soda.pk, code="6001234567899")
    since = (timezone.now() - timedelta(hours=1)).isoformat()

    data = _rows(cashier_client.get(URL, {"updated_since": since}))

    assert [(row[0], row[7]) for row in data["products"]] == [(soda.pk, "6001234567899")]


def test_customers_only_for_roles_that_may_see_them(
    business: Tenant, cashier_client: Client, staff_client: Any
) -> None:
    with tenant_context(business):
        customer_create(name="Wanjiku", phone="0712345678")
    assert [row[2] for row in _rows(cashier_client.get(URL))["customers"]] == ["Wanjiku"]
    warehouse = staff_client(Role.WAREHOUSE)
    assert warehouse.get(URL).status_code == 403  # no selling, no snapshot


def test_bad_updated_since_is_a_400(cashier_client: Client) -> None:
    for since in ("yesterday", "2026-01-01T10:00:00"):  # no offset: whose ten o'clock?
        response = cashier_client.get(URL, {"updated_since": since})
        assert response.status_code == 400
        assert response.json()["error"]["fields"]["updated_since"][0]["code"] == "invalid"


def test_odd_but_valid_updated_since_is_answered(business: Tenant, cashier_client: Client) -> None:
    # Found by the API fuzzing: an offset PostgreSQL refuses, and a date near year 1.
    make_product(business, "SODA", "Soda")
    for since in ("0501-02-23T19:11:17-19:06", "0001-01-01T00:00:00+00:00"):
        data = _rows(cashier_client.get(URL, {"updated_since": since}))
        assert [row[2] for row in data["products"]] == ["SODA"]


def test_terminal_page_needs_a_login_and_the_worker_has_its_scope(
    business: Tenant, tenant_client: Any
) -> None:
    client = tenant_client(business)
    page = client.get("/terminal/")
    assert page.status_code == 302 and page["Location"] == "/login/?next=/terminal/"
    worker = client.get("/terminal/sw.js")
    assert worker.status_code == 200
    assert worker["Service-Worker-Allowed"] == "/terminal/"
    assert worker["Content-Type"].startswith("text/javascript")
    assert b"/static/terminal/app.js" in worker.content
