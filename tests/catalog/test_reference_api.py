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

pytestmark = pytest.mark.django_db


def post(client: Client, path: str, body: dict[str, object]) -> Any:
    return client.post(f"/api/v1/catalog/{path}", body, content_type=JSON)


def patch(client: Client, path: str, body: dict[str, object]) -> Any:
    return client.patch(f"/api/v1/catalog/{path}", body, content_type=JSON)


def test_categories_form_a_tree_listed_flat_with_paths_or_nested(owner: Client) -> None:
    drinks = post(owner, "categories/", {"name": "Drinks"}).json()
    soda = post(owner, "categories/", {"name": "Soda", "parent": drinks["id"]})
    post(owner, "categories/", {"name": "Bakery"})

    flat = owner.get("/api/v1/catalog/categories/").json()["results"]
    tree = owner.get("/api/v1/catalog/categories/?tree=true").json()["tree"]

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
    drinks = post(owner, "categories/", {"name": "Drinks"}).json()
    soda = post(owner, "categories/", {"name": "Soda", "parent": drinks["id"]}).json()
    diet = post(owner, "categories/", {"name": "Diet", "parent": soda["id"]}).json()

    onto_itself = patch(owner, f"categories/{drinks['id']}/", {"parent": drinks["id"]})
    onto_grandchild = patch(owner, f"categories/{drinks['id']}/", {"parent": diet["id"]})
    onto_missing = patch(owner, f"categories/{drinks['id']}/", {"parent": 999999})

    for refused in (onto_itself, onto_grandchild):
        assert refused.status_code == 400
        assert refused.json()["error"]["fields"]["parent"][0]["code"] == "category_cycle"
    assert onto_missing.json()["error"]["fields"]["parent"][0]["code"] == "does_not_exist"
    with tenant_context(business):
        assert Category.objects.get(pk=drinks["id"]).parent_id is None


def test_moving_and_renaming_a_category_changes_the_paths_below(owner: Client) -> None:
    drinks = post(owner, "categories/", {"name": "Drinks"}).json()
    food = post(owner, "categories/", {"name": "Food"}).json()
    juice = post(owner, "categories/", {"name": "Juice", "parent": drinks["id"]}).json()

    moved = patch(owner, f"categories/{drinks['id']}/", {"parent": food["id"], "name": "Beverages"})

    assert moved.status_code == 200
    assert moved.json()["path"] == "Food/Beverages"
    got = owner.get(f"/api/v1/catalog/categories/{juice['id']}/").json()
    assert got["path"] == "Food/Beverages/Juice"


def test_duplicate_sibling_names_conflict_but_cousins_may_share_a_name(
    owner: Client, business: Tenant
) -> None:
    drinks = post(owner, "categories/", {"name": "Drinks"}).json()
    food = post(owner, "categories/", {"name": "Food"}).json()
    post(owner, "categories/", {"name": "Other", "parent": drinks["id"]})

    same_parent = post(owner, "categories/", {"name": "other", "parent": drinks["id"]})
    other_parent = post(owner, "categories/", {"name": "Other", "parent": food["id"]})
    slash = post(owner, "categories/", {"name": "A/B"})

    assert same_parent.status_code == 409
    assert same_parent.json()["error"]["fields"]["name"][0]["code"] == "duplicate"
    assert other_parent.status_code == 201
    assert slash.status_code == 400
    with tenant_context(business):
        assert Category.objects.filter(name__iexact="other").count() == 2


def test_a_category_in_use_is_not_deleted_an_empty_one_is(owner: Client, business: Tenant) -> None:
    drinks = post(owner, "categories/", {"name": "Drinks"}).json()
    empty = post(owner, "categories/", {"name": "Empty"}).json()
    make_product(business, "SODA-1", "Soda", category_id=drinks["id"])

    refused = owner.delete(f"/api/v1/catalog/categories/{drinks['id']}/")
    deleted = owner.delete(f"/api/v1/catalog/categories/{empty['id']}/")
    missing = owner.get(f"/api/v1/catalog/categories/{empty['id']}/")

    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "in_use"
    assert deleted.status_code == 204
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    with tenant_context(business):
        assert Category.objects.filter(pk=drinks["id"]).exists()


def test_brands_crud_with_case_insensitive_duplicates(owner: Client, business: Tenant) -> None:
    brand = post(owner, "brands/", {"name": "Bidco"}).json()

    duplicate = post(owner, "brands/", {"name": "BIDCO"})
    blank = post(owner, "brands/", {"name": "  "})
    renamed = patch(owner, f"brands/{brand['id']}/", {"name": "Bidco Africa"})
    listed = owner.get("/api/v1/catalog/brands/").json()["results"]

    assert duplicate.status_code == 409
    assert blank.status_code == 400
    assert renamed.json() == {"id": brand["id"], "name": "Bidco Africa"}
    assert listed == [{"id": brand["id"], "name": "Bidco Africa"}]
    make_product(business, "OIL-1", "Cooking oil", brand_id=brand["id"])
    assert owner.delete(f"/api/v1/catalog/brands/{brand['id']}/").status_code == 409
    with tenant_context(business):
        assert Brand.objects.count() == 1


def test_units_are_seeded_and_a_unit_used_by_weighed_goods_stays_fractional(
    owner: Client, business: Tenant
) -> None:
    codes = [u["code"] for u in owner.get("/api/v1/catalog/units/").json()["results"]]
    crate = post(owner, "units/", {"code": "crate", "name": "Crate"})
    kg = next(u for u in owner.get("/api/v1/catalog/units/").json()["results"] if u["code"] == "kg")
    make_product(business, "TOM-1", "Tomatoes", unit="kg", sold_by_weight=True)

    refused = patch(owner, f"units/{kg['id']}/", {"is_fractional": False})

    assert codes == ["kg", "l", "pc"]
    assert crate.status_code == 201
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"]["is_fractional"][0]["code"] == "in_use"
    with tenant_context(business):
        assert Unit.objects.get(code="kg").is_fractional


def test_there_is_always_exactly_one_default_tax_rate(owner: Client, business: Tenant) -> None:
    rates = owner.get("/api/v1/catalog/tax-rates/").json()["results"]
    standard = next(r for r in rates if r["is_default"])

    reduced = post(owner, "tax-rates/", {"name": "Reduced", "rate": "8", "is_default": True})
    undefault = patch(owner, f"tax-rates/{reduced.json()['id']}/", {"is_default": False})
    out_of_range = post(owner, "tax-rates/", {"name": "Silly", "rate": "120"})
    delete_default = owner.delete(f"/api/v1/catalog/tax-rates/{reduced.json()['id']}/")

    assert standard["name"] == "Standard VAT" and standard["rate"] == "16.000"
    assert reduced.status_code == 201
    assert undefault.status_code == 400
    assert out_of_range.json()["error"]["fields"]["rate"][0]["code"] == "out_of_range"
    assert delete_default.status_code == 409
    with tenant_context(business):
        assert list(TaxRate.objects.filter(is_default=True).values_list("name", flat=True)) == [
            "Reduced"
        ]
    assert owner.delete(f"/api/v1/catalog/tax-rates/{standard['id']}/").status_code == 204


def test_price_lists_crud(owner: Client) -> None:
    created = post(owner, "price-lists/", {"code": "vip", "name": "VIP customers"})
    duplicate = post(owner, "price-lists/", {"code": "wholesale", "name": "Again"})
    renamed = patch(owner, f"price-lists/{created.json()['id']}/", {"name": "VIP"})

    codes = [p["code"] for p in owner.get("/api/v1/catalog/price-lists/").json()["results"]]
    assert created.status_code == 201
    assert duplicate.status_code == 409
    assert renamed.json()["name"] == "VIP"
    assert codes == ["vip", "wholesale"]


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "categories/"), ("post", "brands/"), ("post", "units/"), ("post", "tax-rates/")],
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

    read = client.get(f"/api/v1/catalog/{path}")
    write = getattr(client, method)(
        f"/api/v1/catalog/{path}", {"name": "X", "code": "x", "rate": "1"}, content_type=JSON
    )

    assert read.status_code == 200
    assert write.status_code == 403
    assert write.json()["error"]["code"] == "permission_denied"
