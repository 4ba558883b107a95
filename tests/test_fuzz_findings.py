"""What the API fuzzing found after the first round of fixes, each from the client's side."""

from __future__ import annotations

from collections.abc import Callable

from django.core.cache import cache
from django.test import Client
from django_tenants.utils import schema_context

from saas_platform.counters import count_up
from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.models import Product
from tenant_apps.sales.models import Coupon
from tests.support.urls import tenant_path

COUPONS = tenant_path("sales:coupon-list")


def test_a_refused_csv_report_answers_in_the_json_error_shape(owner_client: Client) -> None:
    response = owner_client.get(tenant_path("ledger:trial-balance-report") + "?format=csv&as_of=x")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "validation_error"
    assert "as_of" in response.json()["error"]["fields"]


def test_an_unknown_format_is_a_field_error_not_a_404(owner_client: Client) -> None:
    response = owner_client.get(tenant_path("ledger:vat-report") + "?format=AAA")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["fields"]["format"][0]["code"] == "invalid"


def test_a_coupon_naming_a_missing_category_or_product_is_refused(
    business: Tenant, owner_client: Client, make_product: Callable[..., Product]
) -> None:
    body = {"code": "B1", "kind": "fixed", "value": "1"}

    no_category = owner_client.post(
        COUPONS, {**body, "category": 100000}, content_type="application/json"
    )
    no_product = owner_client.post(
        COUPONS, {**body, "product": 100000}, content_type="application/json"
    )
    too_many_uses = owner_client.post(
        COUPONS, {**body, "max_uses": 3233325670250559569920}, content_type="application/json"
    )

    assert no_category.status_code == 400
    assert no_category.json()["error"]["fields"]["category"][0]["code"] == "not_found"
    assert no_product.status_code == 400
    assert no_product.json()["error"]["fields"]["product"][0]["code"] == "not_found"
    assert too_many_uses.status_code == 400
    assert "max_uses" in too_many_uses.json()["error"]["fields"]
    with schema_context(business.schema_name):
        assert not Coupon.objects.exists()

    # and a real product still makes a coupon; the same code again is taken, not a 500
    jam = make_product(name="Jam", price="300")
    made = owner_client.post(COUPONS, {**body, "product": jam.pk}, content_type="application/json")
    again = owner_client.post(COUPONS, body, content_type="application/json")
    assert made.status_code == 201, made.content
    assert again.status_code == 409
    assert again.json()["error"]["fields"]["code"][0]["code"] == "taken"


def test_a_counter_cleared_under_it_starts_again() -> None:
    assert [count_up("attempts", 60) for _ in range(3)] == [1, 2, 3]

    cache.delete("attempts")

    assert count_up("attempts", 60) == 1
