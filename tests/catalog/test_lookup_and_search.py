"""The scanner's one-query lookup, and search with prefixes, exact matches first and pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context

from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.selectors import barcode_lookup, prefix_tsquery
from tenant_apps.catalog.services import barcode_add
from tests.support.catalog import make_product
from tests.support.people import issue_api_key
from tests.support.urls import tenant_path

pytestmark = pytest.mark.django_db


def test_the_lookup_selector_is_one_query(business: Tenant, django_assert_num_queries: Any) -> None:
    soda = make_product(business, "SODA", "Soda", price="65", barcodes=("5901234123457",))
    with tenant_context(business):
        connection.ensure_connection()
        barcode_lookup("0")  # the schema's search_path is set on the first query

        with django_assert_num_queries(1) as captured:
            found = barcode_lookup("5901234123457")
            assert found is not None
            details = (found.product.name, found.product.unit.code, found.product.tax_rate)

    assert found.product_id == soda.pk
    assert details[0:2] == ("Soda", "pc")
    assert details[2] is not None and details[2].name == "Standard VAT"
    assert '"catalog_barcode"."code" = ' in captured.captured_queries[0]["sql"]


def test_scanning_a_code_returns_what_the_till_needs(
    business: Tenant, tenant_client: Callable[[Tenant], Client]
) -> None:
    soda = make_product(business, "SODA", "Soda 300ml", price="65", barcodes=("5901234123457",))
    with tenant_context(business):
        barcode_add(product_id=soda.pk, code="96385074", pack_quantity=24)  # type: ignore[arg-type]
    key = issue_api_key(business, ["catalog:read"])
    client = tenant_client(business)

    single = client.get(
        tenant_path("catalog:barcode-detail", code="5901234123457"),
        HTTP_AUTHORIZATION=f"Api-Key {key}",
    )
    barcode_detail_path = tenant_path("catalog:barcode-detail", code="96385074")
    crate = client.get(barcode_detail_path, HTTP_AUTHORIZATION=f"Api-Key {key}")
    unknown = client.get(
        tenant_path("catalog:barcode-detail", code="4006381333931"),
        HTTP_AUTHORIZATION=f"Api-Key {key}",
    )

    assert single.status_code == 200
    body = single.json()
    assert body["product"]["id"] == soda.pk
    assert body["product"]["sku"] == "SODA"
    assert body["product"]["price"] == {"amount": "65.00", "currency": "KES"}
    assert body["product"]["tax_rate"]["rate"] == "16.000"
    assert body["product"]["unit"]["code"] == "pc"
    assert body["product"]["is_active"] is True
    assert (body["pack_quantity"], body["symbology"]) == ("1.000", "ean13")
    assert crate.json()["pack_quantity"] == "24.000"
    assert crate.json()["pack_price"] == {"amount": "1560.00", "currency": "KES"}
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "unknown_barcode"


def test_prefix_query_strips_tsquery_syntax() -> None:
    assert prefix_tsquery("Sug") == "sug:*"
    assert prefix_tsquery("coca-cola 500ml") == "coca:* & cola:* & 500ml:*"
    assert prefix_tsquery("a & b | !c (d):* 'e' \\") == "a:* & b:* & c:* & d:* & e:*"
    assert prefix_tsquery("!!! ::: ***") == ""


@pytest.fixture
def shop(business: Tenant) -> Tenant:
    make_product(business, "SUG-1KG", "Sugar 1kg", price="180")
    make_product(business, "SUG-2KG", "Kabras Sugar 2kg", price="350")
    make_product(business, "SALT-1", "Salt 1kg", price="40", barcodes=("5901234123457",))
    make_product(business, "SUGARCANE", "Juice", price="50")
    make_product(business, "AIRTIME", "Safaricom airtime", kind="service", price="0")
    return business


def skus(response: Any) -> list[str]:
    return [p["sku"] for p in response.json()["results"]]


def test_search_matches_word_prefixes_in_name_and_sku(owner: Client, shop: Tenant) -> None:
    found = skus(owner.get(tenant_path("catalog:product-list") + "?q=sug"))
    # Both sugars match "sug" in name and SKU and tie on rank (then by name); the juice matches
    # only through its SKU "sugarcane", so it ranks last. "Salt" and airtime never match.
    assert found == ["SUG-2KG", "SUG-1KG", "SUGARCANE"]
    assert skus(owner.get(tenant_path("catalog:product-list") + "?q=kabras%20sug")) == ["SUG-2KG"]
    # Operators typed into the box are ignored rather than breaking the query.
    product_list_path = tenant_path("catalog:product-list") + "?q=sugar%27%20%26%20!%20(1kg"
    assert skus(owner.get(product_list_path)) == ["SUG-1KG"]
    assert skus(owner.get(tenant_path("catalog:product-list") + "?q=zzz")) == []


def test_exact_sku_and_barcode_matches_come_first(owner: Client, shop: Tenant) -> None:
    by_sku = skus(owner.get(tenant_path("catalog:product-list") + "?q=SUG-2KG"))
    by_barcode = skus(owner.get(tenant_path("catalog:product-list") + "?q=5901234123457"))

    assert by_sku[0] == "SUG-2KG"
    assert by_barcode == ["SALT-1"]


def test_filters_by_kind_and_category_including_subcategories(
    owner: Client, business: Tenant
) -> None:
    drinks = owner.post(
        tenant_path("catalog:category-list"), {"name": "Drinks"}, content_type="application/json"
    ).json()
    soda = owner.post(
        tenant_path("catalog:category-list"),
        {"name": "Soda", "parent": drinks["id"]},
        content_type="application/json",
    ).json()
    make_product(business, "COKE", "Coke", category_id=soda["id"])
    make_product(business, "WATER", "Water", category_id=drinks["id"])
    make_product(business, "BREAD", "Bread")
    make_product(business, "AIRTIME", "Airtime", kind="service")

    in_drinks = skus(owner.get(tenant_path("catalog:product-list") + f"?category={drinks['id']}"))
    in_soda = skus(owner.get(tenant_path("catalog:product-list") + f"?category={soda['id']}"))
    services = skus(owner.get(tenant_path("catalog:product-list") + "?kind=service"))
    bad = owner.get(tenant_path("catalog:product-list") + "?kind=gift&limit=0")

    assert in_drinks == ["COKE", "WATER"]
    assert in_soda == ["COKE"]
    assert services == ["AIRTIME"]
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"kind", "limit"}


def test_pages_are_stable_and_complete(owner: Client, business: Tenant) -> None:
    for number in range(7):
        make_product(business, f"ITEM-{number}", "Same name")

    pages = [
        owner.get(tenant_path("catalog:product-list") + f"?limit=3&offset={offset}").json()
        for offset in (0, 3, 6)
    ]
    searched = [
        owner.get(tenant_path("catalog:product-list") + f"?q=same&limit=3&offset={offset}").json()
        for offset in (0, 3, 6)
    ]

    assert [p["count"] for p in pages] == [7, 7, 7]
    assert [sku for p in pages for sku in skus_of(p)] == [f"ITEM-{n}" for n in range(7)]
    assert [sku for p in searched for sku in skus_of(p)] == [f"ITEM-{n}" for n in range(7)]


def skus_of(page: dict[str, Any]) -> list[str]:
    return [p["sku"] for p in page["results"]]
