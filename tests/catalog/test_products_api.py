"""Products, variants, barcodes, list prices, images, permissions and isolation."""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.storage import storages
from django.test import Client
from django_tenants.utils import tenant_context
from PIL import Image

from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.models import Barcode, PriceList, Product, ProductPrice
from tests.catalog.conftest import JSON
from tests.support.catalog import make_product, product_count, unit_id
from tests.support.people import issue_api_key
from tests.support.urls import tenant_path

pytestmark = pytest.mark.django_db

JwtClient = Callable[[Tenant, str], Client]


def create(client: Client, **body: Any) -> Any:
    return client.post(tenant_path("catalog:product-list"), body, content_type=JSON)


def test_owner_creates_a_product_with_money_in_the_business_currency(
    owner: Client, business: Tenant
) -> None:
    drinks = owner.post(tenant_path("catalog:category-list"), {"name": "Drinks"}, content_type=JSON)

    created = create(
        owner,
        name="Coca-Cola 500ml",
        sku="COKE-500",
        unit=unit_id(business),
        price="65.5",
        cost_price="48.1234",
        category=drinks.json()["id"],
    )

    assert created.status_code == 201
    body = created.json()
    assert body["price"] == {"amount": "65.50", "currency": "KES"}
    assert body["cost_price"] == {"amount": "48.1234", "currency": "KES"}
    assert body["tax_rate"]["name"] == "Standard VAT"  # the default when none is given
    assert body["category"]["name"] == "Drinks"
    assert body["unit"]["code"] == "pc"
    assert (body["kind"], body["is_active"], body["variants"], body["image"]) == (
        "stock",
        True,
        [],
        None,
    )
    assert owner.get(tenant_path("catalog:product-detail", product_id=body["id"])).json() == body


def test_every_bad_field_is_reported_at_once_and_nothing_is_saved(
    owner: Client, business: Tenant
) -> None:
    refused = create(
        owner,
        name="Bad",
        sku="BAD-1",
        unit=unit_id(business),
        price="-1",
        cost_price="-2",
        category=424242,
        tax_rate=424242,
    )

    assert refused.status_code == 400
    fields = refused.json()["error"]["fields"]
    assert fields["price"][0]["code"] == "negative"
    assert fields["cost_price"][0]["code"] == "negative"
    assert fields["category"][0]["code"] == "does_not_exist"
    assert fields["tax_rate"][0]["code"] == "does_not_exist"
    assert product_count(business) == 0


def test_missing_fields_and_bad_types_are_400(owner: Client, business: Tenant) -> None:
    missing = create(owner, name="Thing")
    bad_types = create(owner, name="X", sku="X", unit="pc", price="abc", kind="gift")

    assert missing.status_code == 400
    assert set(missing.json()["error"]["fields"]) == {"sku", "unit", "price"}
    assert set(bad_types.json()["error"]["fields"]) == {"unit", "price", "kind"}
    assert product_count(business) == 0


def test_a_taken_sku_is_a_conflict(owner: Client, business: Tenant) -> None:
    make_product(business, "SUGAR-1", "Sugar 1kg")

    again = create(owner, name="Other", sku="SUGAR-1", unit=unit_id(business), price="1")

    assert again.status_code == 409
    assert again.json()["error"]["fields"]["sku"][0]["code"] == "duplicate"
    assert product_count(business) == 1


def test_weighed_goods_need_a_fractional_unit(owner: Client, business: Tenant) -> None:
    refused = create(
        owner, name="Tomatoes", sku="TOM", unit=unit_id(business), price="80", sold_by_weight=True
    )
    accepted = create(
        owner,
        name="Tomatoes",
        sku="TOM",
        unit=unit_id(business, "kg"),
        price="80",
        sold_by_weight=True,
    )

    assert refused.json()["error"]["fields"]["sold_by_weight"][0]["code"] == "unit_not_fractional"
    assert accepted.status_code == 201


def test_update_changes_only_the_given_fields_and_validates(
    owner: Client, business: Tenant
) -> None:
    product = make_product(business, "BREAD-1", "Bread", price="55", description="White")

    updated = owner.patch(
        tenant_path("catalog:product-detail", product_id=product.pk),
        {"price": "60", "tax_rate": None},
        content_type=JSON,
    )
    refused = owner.patch(
        tenant_path("catalog:product-detail", product_id=product.pk),
        {"price": "-5"},
        content_type=JSON,
    )
    product_detail_path = tenant_path("catalog:product-detail", product_id=999999)
    missing = owner.patch(product_detail_path, {"price": "5"}, content_type=JSON)

    assert updated.status_code == 200
    assert updated.json()["price"]["amount"] == "60.00"
    assert updated.json()["tax_rate"] is None
    assert updated.json()["description"] == "White"
    assert refused.status_code == 400
    assert missing.status_code == 404
    with tenant_context(business):
        assert Product.objects.get().price.amount == Decimal("60")


def test_variants_are_listed_under_their_parent_and_cannot_nest(
    owner: Client, business: Tenant
) -> None:
    parent = make_product(business, "MILK", "Fresh milk")
    small = make_product(
        business, "MILK-500", "Fresh milk 500ml", variant_of_id=parent.pk,
        variant_attributes={"size": "500 ml"},
    )  # fmt: skip
    make_product(business, "MILK-1L", "Fresh milk 1l", variant_of_id=parent.pk)

    listed = owner.get(tenant_path("catalog:product-list")).json()
    nested = create(
        owner, name="Tiny", sku="MILK-250", unit=unit_id(business), price="1", variant_of=small.pk
    )
    parent_becomes_variant = owner.patch(
        tenant_path("catalog:product-detail", product_id=parent.pk),
        {"variant_of": small.pk},
        content_type=JSON,
    )
    barcode_on_parent = owner.post(
        tenant_path("catalog:product-barcode-list", product_id=parent.pk),
        {"code": "5901234123457"},
        content_type=JSON,
    )

    assert [p["sku"] for p in listed["results"]] == ["MILK"]
    variants = listed["results"][0]["variants"]
    assert [(v["sku"], v["variant_of"]) for v in variants] == [
        ("MILK-1L", parent.pk),
        ("MILK-500", parent.pk),
    ]
    assert variants[1]["variant_attributes"] == {"size": "500 ml"}
    assert nested.json()["error"]["fields"]["variant_of"][0]["code"] == "variant_of_variant"
    codes = {e["code"] for e in parent_becomes_variant.json()["error"]["fields"]["variant_of"]}
    assert codes == {"variant_of_variant", "has_variants"}
    assert barcode_on_parent.json()["error"]["fields"]["product"][0]["code"] == (
        "parent_not_sellable"
    )
    assert product_count(business) == 3


def test_deactivating_instead_of_deleting_and_filtering_by_active(
    owner: Client, business: Tenant
) -> None:
    parent = make_product(business, "TEA", "Tea")
    make_product(business, "TEA-50", "Tea 50 bags", variant_of_id=parent.pk)
    make_product(business, "SALT", "Salt")

    deactivated = owner.post(tenant_path("catalog:product-deactivate", product_id=parent.pk))
    active = owner.get(tenant_path("catalog:product-list") + "?active=true").json()["results"]
    inactive = owner.get(tenant_path("catalog:product-list") + "?active=false").json()["results"]
    reactivated = owner.post(tenant_path("catalog:product-reactivate", product_id=parent.pk))

    assert deactivated.json()["is_active"] is False
    assert deactivated.json()["variants"][0]["is_active"] is False
    assert [p["sku"] for p in active] == ["SALT"]
    assert [p["sku"] for p in inactive] == ["TEA"]
    assert reactivated.json()["variants"][0]["is_active"] is True
    product_detail_path = tenant_path("catalog:product-detail", product_id=parent.pk)
    assert owner.delete(product_detail_path).status_code == 405


def test_barcodes_several_per_product_with_packs_and_no_duplicates(
    owner: Client, business: Tenant
) -> None:
    soda = make_product(business, "SODA", "Soda 300ml")
    other = make_product(business, "WATER", "Water")
    url = tenant_path("catalog:product-barcode-list", product_id=soda.pk)

    single = owner.post(url, {"code": "5901234123457"}, content_type=JSON)
    crate = owner.post(url, {"code": "96385074", "pack_quantity": "24"}, content_type=JSON)
    internal = owner.post(url, {"code": "SODA-LOOSE"}, content_type=JSON)
    bad_digit = owner.post(url, {"code": "5901234123458"}, content_type=JSON)
    zero_pack = owner.post(url, {"code": "036000291452", "pack_quantity": "0"}, content_type=JSON)
    taken = owner.post(
        tenant_path("catalog:product-barcode-list", product_id=other.pk),
        {"code": "5901234123457"},
        content_type=JSON,
    )
    listed = owner.get(url).json()["results"]

    assert single.status_code == crate.status_code == internal.status_code == 201
    assert [(b["code"], b["symbology"], b["pack_quantity"]) for b in listed] == [
        ("5901234123457", "ean13", "1.000"),
        ("96385074", "ean8", "24.000"),
        ("SODA-LOOSE", "internal", "1.000"),
    ]
    assert bad_digit.status_code == 400
    assert bad_digit.json()["error"]["fields"]["code"][0]["code"] == "invalid_check_digit"
    assert zero_pack.status_code == 400
    assert taken.status_code == 409
    assert taken.json()["error"]["fields"]["code"][0]["code"] == "duplicate"

    product_barcode_detail_path = tenant_path(
        "catalog:product-barcode-detail", product_id=soda.pk, barcode_id=internal.json()["id"]
    )
    removed = owner.delete(product_barcode_detail_path)
    product_barcode_detail_path = tenant_path(
        "catalog:product-barcode-detail", product_id=other.pk, barcode_id=single.json()["id"]
    )
    not_here = owner.delete(product_barcode_detail_path)
    assert removed.status_code == 204
    assert not_here.status_code == 404
    with tenant_context(business):
        assert Barcode.objects.count() == 2


def test_wholesale_and_tiered_list_prices(owner: Client, business: Tenant) -> None:
    soda = make_product(business, "SODA", "Soda", price="60")
    with tenant_context(business):
        wholesale = PriceList.objects.get(code="wholesale").pk
    url = tenant_path("catalog:product-price-list", product_id=soda.pk)

    one = owner.post(url, {"price_list": wholesale, "price": "55"}, content_type=JSON)
    replaced = owner.post(url, {"price_list": wholesale, "price": "54"}, content_type=JSON)
    tier = owner.post(
        url, {"price_list": wholesale, "price": "50", "min_quantity": "24"}, content_type=JSON
    )
    negative = owner.post(url, {"price_list": wholesale, "price": "-1"}, content_type=JSON)
    unknown_list = owner.post(url, {"price_list": 99999, "price": "1"}, content_type=JSON)
    prices = owner.get(tenant_path("catalog:product-detail", product_id=soda.pk)).json()["prices"]

    assert one.status_code == replaced.status_code == tier.status_code == 201
    assert [(p["price"]["amount"], p["min_quantity"]) for p in prices] == [
        ("54.00", "1.000"),
        ("50.00", "24.000"),
    ]
    assert negative.json()["error"]["fields"]["price"][0]["code"] == "negative"
    assert unknown_list.json()["error"]["fields"]["price_list"][0]["code"] == "does_not_exist"
    product_price_detail_path = tenant_path(
        "catalog:product-price-detail", product_id=soda.pk, product_price_id=tier.json()["id"]
    )
    assert owner.delete(product_price_detail_path).status_code == 204
    with tenant_context(business):
        assert ProductPrice.objects.count() == 1
    in_use = owner.delete(tenant_path("catalog:price-list-detail", price_list_id=wholesale))
    assert in_use.status_code == 409


@pytest.fixture
def media_root(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = str(tmp_path)
    # The tenant storage caches its root on first use; make it see the temporary one.
    storages["default"].__dict__.pop("relative_media_root", None)
    yield tmp_path
    storages["default"].__dict__.pop("relative_media_root", None)


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def test_image_upload_stores_a_real_image_under_the_business_prefix(
    owner: Client, business: Tenant, media_root: Any
) -> None:
    soda = make_product(business, "SODA", "Soda")
    upload = io.BytesIO(png_bytes())
    upload.name = "soda.png"

    stored = owner.post(tenant_path("catalog:product-image", product_id=soda.pk), {"image": upload})

    assert stored.status_code == 200, stored.content
    assert stored.json()["image"] == f"/media/{business.schema_name}/products/SODA.png"
    assert (media_root / business.schema_name / "products" / "SODA.png").read_bytes() == png_bytes()


def test_image_upload_refuses_what_is_not_an_image(
    owner: Client, business: Tenant, media_root: Any
) -> None:
    soda = make_product(business, "SODA", "Soda")
    fake = io.BytesIO(b"%PDF-1.4 not a picture")
    fake.name = "soda.png"

    refused = owner.post(tenant_path("catalog:product-image", product_id=soda.pk), {"image": fake})
    as_json = owner.post(
        tenant_path("catalog:product-image", product_id=soda.pk), {"image": "x"}, content_type=JSON
    )

    assert refused.status_code == 400
    assert "image" in refused.json()["error"]["fields"]
    assert as_json.status_code == 415
    with tenant_context(business):
        assert not Product.objects.get().image
    assert not any(media_root.rglob("*.png"))


def test_cashier_may_view_but_not_manage_products(
    business: Tenant, member: Callable[..., Any], jwt_client: JwtClient
) -> None:
    soda = make_product(business, "SODA", "Soda")
    client = jwt_client(business, member(business, "cashier").email)

    assert client.get(tenant_path("catalog:product-list")).status_code == 200
    # The export carries cost prices, which a cashier does not see.
    assert client.get(tenant_path("catalog:product-export")).status_code == 403
    assert create(client, name="X", sku="X", unit=1, price="1").status_code == 403
    product_deactivate_path = tenant_path("catalog:product-deactivate", product_id=soda.pk)
    assert client.post(product_deactivate_path).status_code == 403
    patched = client.patch(
        tenant_path("catalog:product-detail", product_id=soda.pk), {"price": "1"}, content_type=JSON
    )
    assert patched.status_code == 403
    with tenant_context(business):
        assert Product.objects.get().price.amount == Decimal("10")


def test_api_key_scopes_catalog_read_and_write(
    business: Tenant, tenant_client: Callable[[Tenant], Client]
) -> None:
    reader = issue_api_key(business, ["catalog:read"])
    writer = issue_api_key(business, ["catalog:write"])
    stranger = issue_api_key(business, ["inventory:read"])
    client = tenant_client(business)
    body = {"name": "Salt", "sku": "SALT", "unit": unit_id(business), "price": "30"}

    def call(key: str, method: str = "get", **kwargs: Any) -> int:
        handler = getattr(client, method)
        return int(
            handler(
                tenant_path("catalog:product-list"), HTTP_AUTHORIZATION=f"Api-Key {key}", **kwargs
            ).status_code
        )

    assert call(reader) == 200
    assert call(stranger) == 403
    assert call(reader, "post", data=body, content_type=JSON) == 403
    assert call(writer, "post", data=body, content_type=JSON) == 201
    assert call(writer) == 200  # write includes read
    assert client.get(tenant_path("catalog:product-list")).status_code == 401


def test_a_product_of_one_business_is_invisible_at_another(
    business: Tenant,
    make_tenant: Callable[..., Tenant],
    jwt_client: JwtClient,
) -> None:
    other = make_tenant(business_name="Beta Stores")
    soda = make_product(business, "SODA", "Soda", barcodes=("5901234123457",))
    client = jwt_client(other, other.owner_email)

    assert client.get(tenant_path("catalog:product-list")).json()["results"] == []
    assert client.get(tenant_path("catalog:product-list") + "?q=soda").json()["results"] == []
    assert client.get(tenant_path("catalog:product-detail", product_id=soda.pk)).status_code == 404
    barcode_detail_path = tenant_path("catalog:barcode-detail", code="5901234123457")
    assert client.get(barcode_detail_path).status_code == 404
    # The same SKU and barcode are free to use at the other business.
    make_product(other, "SODA", "Their soda", barcodes=("5901234123457",))
    assert product_count(other) == 1
