"""CSV import (all or nothing, every row error reported) and export, round trip."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import tenant_context

from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.models import Barcode, Brand, Category, Product
from tests.support.catalog import make_product, product_count
from tests.support.urls import tenant_path

pytestmark = pytest.mark.django_db

HEADER = "sku,name,category,brand,unit,kind,price,cost_price,tax_rate,barcodes,active\n"
GOOD = (
    HEADER
    + "COKE-500,Coca-Cola 500ml,Drinks/Soda,Coca-Cola,pc,stock,65,48.5,,"
    + "5901234123457|96385074*24,true\n"
    + "TOM,Tomatoes,Fresh produce,,kg,stock,80,50,Zero-rated,,yes\n"
    + "AIR-100,Airtime 100,Airtime,Safaricom,pc,service,100,97,none,,\n"
)


def upload(client: Client, text: str) -> Any:
    csv_file = SimpleUploadedFile("products.csv", text.encode(), content_type="text/csv")
    return client.post(tenant_path("catalog:product-import"), {"file": csv_file})


def test_import_creates_products_categories_brands_and_barcodes(
    owner: Client, business: Tenant
) -> None:
    imported = upload(owner, GOOD)

    assert imported.status_code == 200, imported.content
    assert imported.json() == {"created": 3, "updated": 0}
    with tenant_context(business):
        coke = Product.objects.select_related("category__parent", "brand", "tax_rate").get(
            sku="COKE-500"
        )
        assert (coke.category.name, coke.category.parent.name) == ("Soda", "Drinks")  # type: ignore[union-attr]
        assert coke.brand.name == "Coca-Cola"  # type: ignore[union-attr]
        assert coke.tax_rate.name == "Standard VAT"  # type: ignore[union-attr]
        assert str(coke.cost_price.amount) == "48.5000"
        packs = dict(Barcode.objects.filter(product=coke).values_list("code", "pack_quantity"))
        assert {code: int(qty) for code, qty in packs.items()} == {
            "5901234123457": 1,
            "96385074": 24,
        }
        airtime = Product.objects.get(sku="AIR-100")
        assert (airtime.kind, airtime.tax_rate) == ("service", None)
        assert Product.objects.get(sku="TOM").tax_rate.name == "Zero-rated"  # type: ignore[union-attr]


def test_import_updates_by_sku_and_accepts_a_text_csv_body(owner: Client, business: Tenant) -> None:
    make_product(business, "COKE-500", "Old name", price="10")

    imported = owner.post(
        tenant_path("catalog:product-import"),
        "sku,name,price\nCOKE-500,Coca-Cola 500ml,70\n",
        content_type="text/csv",
    )

    assert imported.json() == {"created": 0, "updated": 1}
    with tenant_context(business):
        coke = Product.objects.get()
        assert (coke.name, str(coke.price.amount)) == ("Coca-Cola 500ml", "70.0000")


def test_one_bad_row_means_nothing_is_written_and_every_error_is_reported(
    owner: Client, business: Tenant
) -> None:
    make_product(business, "TAKEN", "Has a barcode", barcodes=("4006381333931",))
    bad = (
        HEADER
        + "OK-1,Fine,Drinks/Juice,NewBrand,pc,stock,10,5,,,true\n"  # row 2 is fine
        + "BAD-1,Bad price,,,pc,stock,-5,abc,,,\n"  # row 3
        + "BAD-2,,,,crate,gift,,,Luxury,5901234123458,maybe\n"  # row 4
        + "OK-1,Duplicate SKU,,,pc,stock,1,1,,4006381333931,\n"  # row 5
    )

    refused = upload(owner, bad)

    assert refused.status_code == 400
    fields = refused.json()["error"]["fields"]
    assert {key: [e["code"] for e in errors] for key, errors in fields.items()} == {
        "row 3.price": ["negative"],
        "row 3.cost_price": ["invalid"],
        "row 4.name": ["blank"],
        "row 4.unit": ["unknown_unit"],
        "row 4.kind": ["invalid_choice"],
        "row 4.price": ["blank"],
        "row 4.tax_rate": ["unknown_tax_rate"],
        "row 4.barcodes": ["invalid_check_digit"],
        "row 4.active": ["invalid"],
        "row 5.sku": ["duplicate"],
        "row 5.barcodes": ["duplicate"],
    }
    assert "nothing was imported" in refused.json()["error"]["message"]
    assert product_count(business) == 1
    with tenant_context(business):
        assert not Category.objects.exists()
        assert not Brand.objects.exists()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        ("name,price\nX,1\n", "missing_columns"),
        ("sku,name,colour\nX,Y,red\n", "unknown_columns"),
        ("sku,name\n", "empty"),
    ],
)
def test_unusable_files_are_refused(owner: Client, business: Tenant, text: str, code: str) -> None:
    refused = upload(owner, text)

    assert refused.status_code == 400
    assert refused.json()["error"]["fields"]["file"][0]["code"] == code
    assert product_count(business) == 0


def test_non_utf8_file_and_missing_file_are_400(owner: Client, business: Tenant) -> None:
    latin1 = SimpleUploadedFile("p.csv", "sku,name\nX,Caf\xe9\n".encode("latin-1"))
    bad_encoding = owner.post(tenant_path("catalog:product-import"), {"file": latin1})
    no_file = owner.post(tenant_path("catalog:product-import"), {})

    assert bad_encoding.json()["error"]["fields"]["file"][0]["code"] == "invalid_encoding"
    assert no_file.status_code == 400
    assert product_count(business) == 0


def test_cashier_cannot_import(
    business: Tenant, member: Callable[..., Any], jwt_client: Callable[[Tenant, str], Client]
) -> None:
    client = jwt_client(business, member(business, "cashier").email)

    assert upload(client, GOOD).status_code == 403
    assert product_count(business) == 0


def catalog_snapshot(tenant: Tenant) -> list[tuple[Any, ...]]:
    with tenant_context(tenant):
        return [
            (
                p.sku,
                p.name,
                p.description,
                p.category.name if p.category else None,
                p.category.parent.name if p.category and p.category.parent else None,
                p.brand.name if p.brand else None,
                p.unit.code,
                p.kind,
                p.sold_by_weight,
                p.price,
                p.cost_price,
                p.tax_rate.name if p.tax_rate else None,
                p.is_active,
                p.variant_of.sku if p.variant_of else None,
                p.variant_attributes,
                sorted((b.code, b.pack_quantity, b.symbology) for b in p.barcodes.all()),
            )
            for p in Product.objects.select_related(
                "category__parent", "brand", "unit", "tax_rate", "variant_of"
            ).order_by("sku")
        ]


def test_export_then_import_into_another_business_gives_the_same_catalog(
    owner: Client,
    business: Tenant,
    make_tenant: Callable[..., Tenant],
    jwt_client: Callable[[Tenant, str], Client],
) -> None:
    assert upload(owner, GOOD).status_code == 200
    milk = make_product(business, "MILK", "Milk, fresh", description='Say "maziwa"')
    make_product(
        business, "MILK-500", "Milk 500ml", variant_of_id=milk.pk,
        variant_attributes={"size": "500 ml"}, barcodes=("SHOP-0001",),
    )  # fmt: skip
    owner.post(tenant_path("catalog:product-deactivate", product_id=milk.pk))
    other = make_tenant(business_name="Beta Stores")

    exported = owner.get(tenant_path("catalog:product-export"))
    imported = jwt_client(other, other.owner_email).post(
        tenant_path("catalog:product-import"), exported.content, content_type="text/csv"
    )

    assert exported.status_code == 200
    assert exported["Content-Type"].startswith("text/csv")
    assert exported.content.decode().splitlines()[0].startswith("sku,name,description,category")
    assert imported.status_code == 200, imported.content
    assert imported.json() == {"created": 5, "updated": 0}
    assert catalog_snapshot(other) == catalog_snapshot(business)
    # Importing the same file again changes nothing but counts every row as an update.
    again = jwt_client(other, other.owner_email).post(
        tenant_path("catalog:product-import"), exported.content, content_type="text/csv"
    )
    assert again.json() == {"created": 0, "updated": 5}
    assert catalog_snapshot(other) == catalog_snapshot(business)


def test_cells_that_do_not_fit_their_column_are_row_errors_and_nothing_is_written(
    owner: Client, business: Tenant
) -> None:
    deep = "/".join(f"L{n}" for n in range(5_000))
    rows = [
        "sku,name,description,category,brand,price,cost_price,barcodes,variant_attributes",
        "NUL-1,Soda\x00,,,,1,,,",  # row 2
        "BIG-1,Big,,,,1e30,NaN,,",  # row 3
        "INF-1,Inf,,,,Infinity,-Infinity,,",  # row 4
        f"{'S' * 65},{'N' * 201},{'D' * 5_001},,{'B' * 121},1,,,",  # row 5
        f"CAT-1,Deep,,{deep},,1,,,",  # row 6
        f"CAT-2,Long level,,Drinks/{'C' * 121},,1,,,",  # row 7
        "PACK-1,Pack,,,,1,,96385074*1e20,",  # row 8
        'ATT-1,Attrs,,,,1,,,"{""a"": NaN}"',  # row 9
        'ATT-2,Attrs,,,,1,,,"' + '{""a"":' * 3_000 + "1" + "}" * 3_000 + '"',  # row 10
        'ATT-3,Attrs,,,,1,,,"{' + ",".join(f'""k{n}"": 1' for n in range(21)) + '}"',  # row 11
        "PRICE-1,Fine price,,,,123456789012345.5,,,",  # row 12: 15 digits, the column has 14
        "OK-1,Fine,,Drinks/Soda,Brand,12.50,10,,",  # row 13
    ]

    refused = upload(owner, "\n".join(rows) + "\n")

    assert refused.status_code == 400, refused.content[:500]
    fields = refused.json()["error"]["fields"]
    assert {key: [e["code"] for e in errors] for key, errors in fields.items()} == {
        "row 2.name": ["invalid_characters"],
        "row 3.price": ["out_of_range"],
        "row 3.cost_price": ["invalid"],
        "row 4.price": ["invalid"],
        "row 4.cost_price": ["invalid"],
        "row 5.sku": ["too_long"],
        "row 5.name": ["too_long"],
        "row 5.description": ["too_long"],
        "row 5.brand": ["too_long"],
        "row 6.category": ["too_deep"],
        "row 7.category": ["too_long"],
        "row 8.barcodes": ["out_of_range"],
        "row 9.variant_attributes": ["invalid"],
        "row 10.variant_attributes": ["invalid"],
        "row 11.variant_attributes": ["too_many"],
        "row 12.price": ["out_of_range"],
    }
    assert len(refused.content) < 10_000  # no cell is quoted back in full
    assert product_count(business) == 0
    with tenant_context(business):
        assert not Category.objects.exists()
        assert not Brand.objects.exists()


def test_a_category_path_at_the_depth_limit_is_imported(owner: Client, business: Tenant) -> None:
    path = "/".join(f"L{n}" for n in range(8))

    imported = upload(owner, f"sku,name,category,price\nDEEP,Deep,{path},1\n")
    too_deep = upload(owner, f"sku,name,category,price\nDEEPER,Deeper,{path}/L8,1\n")

    assert imported.status_code == 200, imported.content
    assert too_deep.json()["error"]["fields"]["row 2.category"][0]["code"] == "too_deep"
    with tenant_context(business):
        assert Category.objects.count() == 8
        assert not Product.objects.filter(sku="DEEPER").exists()
