"""The demo catalog: realistic, valid, deterministic and seeded once."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.barcodes import classify
from tenant_apps.catalog.demo import seed_demo_catalog
from tenant_apps.catalog.models import Barcode, Category, Product, ProductPrice, Symbology
from tenant_apps.catalog.selectors import category_list, category_paths

pytestmark = pytest.mark.django_db


def test_demo_catalog_is_a_realistic_mini_mart_seeded_once(business: Tenant) -> None:
    with schema_context(business.schema_name):
        seed_demo_catalog()
        first = list(Product.objects.order_by("sku").values_list("sku", "price"))
        seed_demo_catalog()  # products exist: nothing more is added

        assert list(Product.objects.order_by("sku").values_list("sku", "price")) == first
        sellable = Product.objects.exclude(variants__isnull=False)
        assert 290 <= sellable.count() <= 310
        paths = set(category_paths(category_list()).values())
        assert {"Drinks/Soda", "Drinks/Water", "Bakery", "Fresh produce", "Airtime"} <= paths
        assert Product.objects.filter(sold_by_weight=True, unit__code="kg").count() == 10
        assert Product.objects.filter(kind="service", category__name="Airtime").count() == 9
        parents = Product.objects.filter(variants__isnull=False).distinct()
        assert parents.count() == 3
        assert Product.objects.filter(variant_of__isnull=False).count() == 10
        assert Barcode.objects.filter(pack_quantity=24).exists()
        assert ProductPrice.objects.filter(price_list__code="wholesale").exists()
        for barcode in Barcode.objects.all():
            assert classify(barcode.code) == (barcode.code, Symbology.EAN13)
        assert not Product.objects.filter(price__lt=0).exists()
        assert {str(p.price.currency) for p in Product.objects.all()} == {"KES"}
        assert Category.objects.filter(parent__isnull=True).count() >= 8
