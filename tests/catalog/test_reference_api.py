"""Categories (a tree without cycles), brands, units, tax rates (one default), price lists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.models import Brand, Category, TaxRate, Unit
from tests.catalog.conftest import JSON
from tests.support.catalog import make_product
from tests.support.urls import tenant_path

pytestmark = pytest.mark.django_db


def post(client: Client, route: str, body: dict[str, object], **ids: object) -> Any:
    return client.post(tenant_path(route, **ids), body, content_type=JSON)


def patch(client: Client, route: str, body: dict[str, object], **ids: object) -> Any:
    return client.patch(tenant_path(route, **ids), body, content_type=JSON)


def test_categories_form_a_tree_listed_flat_with_paths_or_nested(owner: Client) -> None:
    drinks = post(owner, "catalog:category-list", {"name": "Drinks"}).json()
    soda = post(owner, "catalog:category-list", {"name": "Soda", "parent": drinks["id"]})
    post(owner, "catalog:category-list", {"name": "Bakery"})

    flat = owner.get(tenant_path("catalog:category-list")).json()["results"]
    tree = owner.get(tenant_path("catalog:category-list") + "?tree=true").json()["tree"]

    assert soda.status_code == 201
    assert soda.json()["path"] == "Drinks/Soda"
    assert [(c["path"], c["parent"]) for c in flat] == [
        ("Bakery", None),
        ("Drinks", None),
        ("Drinks/Soda", drinks["id"]),
    ]
    assert [n["name"] for n in tree] == ["Bakery", "Drinks"]
    assert [c["path"] for c in tree[1]["children"]] == ["Drinks/Soda"]


def test_a_category_cannot_move_under_itself_or_its_descendants(
    owner: Client, business: Tenant
) -> None:
    drinks = post(owner, "catalog:category-list", {"name": "Drinks"}).json()
    soda = post(owner, "catalog:category-list", {"name": "Soda", "parent": drinks["id"]}).json()
    diet = post(owner, "catalog:category-list", {"name": "Diet", "parent": soda["id"]}).json()

    onto_itself = patch(
        owner, "catalog:category-detail", {"parent": drinks["id"]}, category_id=drinks["id"]
    )
    onto_grandchild = patch(
        owner, "catalog:category-detail", {"parent": diet["id"]}, category_id=drinks["id"]
    )
    onto_missing = patch(
        owner, "catalog:category-detail", {"parent": 999999}, category_id=drinks["id"]
    )

    for refused in (onto_itself, onto_grandchild):
        assert refused.status_code == 400
        assert refused.json()["error"]["fields"]["parent"][0]["code"] == "category_cycle"
    assert onto_missing.json()["error"]["fields"]["parent"][0]["code"] == "does_not_exist"
    with tenant_context(business):
        assert Category.objects.get(pk=drinks["id"]).parent_id is None


def test_moving_and_renaming_a_category_changes_the_paths_below(owner: Client) -> None:
    drinks = post(owner, "catalog:category-list", {"name": "Drinks"}).json()
    food = post(owner, "catalog:category-list", {"name": "Food"}).json()
    juice = post(owner, "catalog:category-list", {"name": "Juice", "parent": drinks["id"]}).json()

    moved = patch(
        owner,
        "catalog:category-detail",
        {"parent": food["id"], "name": "Beverages"},
        category_id=drinks["id"],
    )

    assert moved.status_code == 200
    assert moved.json()["path"] == "Food/Beverages"
    got = owner.get(tenant_path("catalog:category-detail", category_id=juice["id"])).json()
    assert got["path"] == "Food/Beverages/Juice"


def test_duplicate_sibling_names_conflict_but_cousins_may_share_a_name(
    owner: Client, business: Tenant
) -> None:
    drinks = post(owner, "catalog:category-list", {"name": "Drinks"}).json()
    food = post(owner, "catalog:category-list", {"name": "Food"}).json()
    post(owner, "catalog:category-list", {"name": "Other", "parent": drinks["id"]})

    same_parent = post(owner, "catalog:category-list", {"name": "other", "parent": drinks["id"]})
    other_parent = post(owner, "catalog:category-list", {"name": "Other", "parent": food["id"]})
    slash = post(owner, "catalog:category-list", {"name": "A/B"})

    assert same_parent.status_code == 409
    assert same_parent.json()["error"]["fields"]["name"][0]["code"] == "duplicate"
    assert other_parent.status_code == 201
    assert slash.status_code == 400
    with tenant_context(business):
        assert Category.objects.filter(name__iexact="other").count() == 2


def test_a_category_in_use_is_not_deleted_an_empty_one_is(owner: Client, business: Tenant) -> None:
    drinks = post(owner, "catalog:category-list", {"name": "Drinks"}).json()
    empty = post(owner, "catalog:category-list", {"name": "Empty"}).json()
    make_product(business, "SODA-1", "Soda", category_id=drinks["id"])

    refused = owner.delete(tenant_path("catalog:category-detail", category_id=drinks["id"]))
    deleted = owner.delete(tenant_path("catalog:category-detail", category_id=empty["id"]))
    missing = owner.get(tenant_path("catalog:category-detail", category_id=empty["id"]))

    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "in_use"
    assert deleted.status_code == 204
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    with tenant_context(business):
        assert Category.objects.filter(pk=drinks["id"]).exists()


def test_brands_crud_with_case_insensitive_duplicates(owner: Client, business: Tenant) -> None:
    brand = post(owner, "catalog:brand-list", {"name": "Bidco"}).json()

    duplicate = post(owner, "catalog:brand-list", {"name": "BIDCO"})
    blank = post(owner, "catalog:brand-list", {"name": "  "})
    renamed = patch(owner, "catalog:brand-detail", {"name": "Bidco Africa"}, brand_id=brand["id"])
    listed = owner.get(tenant_path("catalog:brand-list")).json()["results"]

    assert duplicate.status_code == 409
    assert blank.status_code == 400
    assert renamed.json() == {"id": brand["id"], "name": "Bidco Africa"}
    assert listed == [{"id": brand["id"], "name": "Bidco Africa"}]
    make_product(business, "OIL-1", "Cooking oil", brand_id=brand["id"])
    brand_detail_path = tenant_path("catalog:brand-detail", brand_id=brand["id"])
    assert owner.delete(brand_detail_path).status_code == 409
    with tenant_context(business):
        assert Brand.objects.count() == 1


def test_units_are_seeded_and_a_unit_used_by_weighed_goods_stays_fractional(
    owner: Client, business: Tenant
) -> None:
    units = tenant_path("catalog:unit-list")
    codes = [u["code"] for u in owner.get(units).json()["results"]]
    crate = post(owner, "catalog:unit-list", {"code": "crate", "name": "Crate"})
    kg = next(u for u in owner.get(units).json()["results"] if u["code"] == "kg")
    make_product(business, "TOM-1", "Tomatoes", unit="kg", sold_by_weight=True)

    refused = patch(owner, "catalog:unit-detail", {"is_fractional": False}, unit_id=kg["id"])

    assert codes == ["kg", "l", "pc"]
    assert crate.status_code == 201
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"]["is_fractional"][0]["code"] == "in_use"
    with tenant_context(business):
        assert Unit.objects.get(code="kg").is_fractional


def test_there_is_always_exactly_one_default_tax_rate(owner: Client, business: Tenant) -> None:
    rates = owner.get(tenant_path("catalog:tax-rate-list")).json()["results"]
    standard = next(r for r in rates if r["is_default"])

    reduced = post(
        owner, "catalog:tax-rate-list", {"name": "Reduced", "rate": "8", "is_default": True}
    )
    undefault = patch(
        owner, "catalog:tax-rate-detail", {"is_default": False}, tax_rate_id=reduced.json()["id"]
    )
    out_of_range = post(owner, "catalog:tax-rate-list", {"name": "Silly", "rate": "120"})
    tax_rate_detail_path = tenant_path("catalog:tax-rate-detail", tax_rate_id=reduced.json()["id"])
    delete_default = owner.delete(tax_rate_detail_path)

    assert standard["name"] == "Standard VAT" and standard["rate"] == "16.000"
    assert reduced.status_code == 201
    assert undefault.status_code == 400
    assert out_of_range.json()["error"]["fields"]["rate"][0]["code"] == "out_of_range"
    assert delete_default.status_code == 409
    with tenant_context(business):
        assert list(TaxRate.objects.filter(is_default=True).values_list("name", flat=True)) == [
            "Reduced"
        ]
    tax_rate_detail_path = tenant_path("catalog:tax-rate-detail", tax_rate_id=standard["id"])
    assert owner.delete(tax_rate_detail_path).status_code == 204


def test_price_lists_crud(owner: Client) -> None:
    created = post(owner, "catalog:price-list-list", {"code": "vip", "name": "VIP customers"})
    duplicate = post(owner, "catalog:price-list-list", {"code": "wholesale", "name": "Again"})
    renamed = patch(
        owner, "catalog:price-list-detail", {"name": "VIP"}, price_list_id=created.json()["id"]
    )

    codes = [p["code"] for p in owner.get(tenant_path("catalog:price-list-list")).json()["results"]]
    assert created.status_code == 201
    assert duplicate.status_code == 409
    assert renamed.json()["name"] == "VIP"
    assert codes == ["vip", "wholesale"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", tenant_path("catalog:category-list")),
        ("post", tenant_path("catalog:brand-list")),
        ("post", tenant_path("catalog:unit-list")),
        ("post", tenant_path("catalog:tax-rate-list")),
    ],
)
def test_a_cashier_reads_reference_data_but_cannot_change_it(
    business: Tenant,
    member: Callable[..., Any],
    jwt_client: Callable[[Tenant, str], Client],
    method: str,
    path: str,
) -> None:
    cashier = member(business, "cashier")
    client = jwt_client(business, cashier.email)

    read = client.get(path)
    write = getattr(client, method)(
        path, {"name": "X", "code": "x", "rate": "1"}, content_type=JSON
    )

    assert read.status_code == 200
    assert write.status_code == 403
    assert write.json()["error"]["code"] == "permission_denied"
