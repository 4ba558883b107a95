"""Output shapes shared by the catalog's views.

Money is ``{"amount": "12.50", "currency": "KES"}`` everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers
from rest_framework.fields import SkipField

from saas_platform.api.fields import MoneyField
from saas_platform.api.permissions import request_allows
from saas_platform.api.shaping import OutputModelSerializer
from tenant_apps.catalog.models import (
    Barcode,
    Brand,
    Category,
    PriceList,
    Product,
    ProductPrice,
    TaxRate,
    Unit,
)
from tenant_apps.staff.access import Action


def shows_costs(context: Mapping[str, Any]) -> bool:
    """Whether the request a serializer answers may see costs (``catalog.view_costs``).

    No request in the context (a task, a script) shows none: costs are shown to whom the
    matrix allows, never by default.
    """
    return request_allows(context.get("request"), Action.CATALOG_VIEW_COSTS)


class CostField(MoneyField):
    """A cost amount: in the output for roles (and keys) that may see costs, left out — the key
    too, not just the value — for the others. Serializers using it need the request in their
    context.

    It is not marked read-only, so the schema lists it as optional: a cashier's answer has no
    such key. Output serializers only; it takes no input.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("read_only", False)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def get_attribute(self, instance: Any) -> Any:
        if not shows_costs(self.context):
            raise SkipField
        return super().get_attribute(instance)


class CategoryOutputSerializer(OutputModelSerializer[Category]):
    path = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = ["id", "name", "parent", "path", "created_at"]

    def get_path(self, category: Category) -> str:
        paths: dict[int, str] = self.context.get("paths", {})
        return paths.get(category.pk, category.name)


class BrandOutputSerializer(OutputModelSerializer[Brand]):
    class Meta:
        model = Brand
        fields = ["id", "name"]


class UnitOutputSerializer(OutputModelSerializer[Unit]):
    class Meta:
        model = Unit
        fields = ["id", "code", "name", "is_fractional"]


class TaxRateOutputSerializer(OutputModelSerializer[TaxRate]):
    class Meta:
        model = TaxRate
        fields = ["id", "name", "rate", "is_default"]


class PriceListOutputSerializer(OutputModelSerializer[PriceList]):
    class Meta:
        model = PriceList
        fields = ["id", "code", "name"]


class ProductPriceOutputSerializer(OutputModelSerializer[ProductPrice]):
    price_list = PriceListOutputSerializer()
    price = MoneyField()

    class Meta:
        model = ProductPrice
        fields = ["id", "price_list", "price", "min_quantity"]


class BarcodeOutputSerializer(OutputModelSerializer[Barcode]):
    class Meta:
        model = Barcode
        fields = ["id", "code", "symbology", "pack_quantity"]


class ProductRefSerializer(OutputModelSerializer[Product]):
    """A product where another record names it (a stock level, an order line)."""

    class Meta:
        model = Product
        fields = ["id", "sku", "name"]


class _RefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class VariantOutputSerializer(OutputModelSerializer[Product]):
    category = _RefSerializer(allow_null=True)
    brand = _RefSerializer(allow_null=True)
    unit = UnitOutputSerializer()
    tax_rate = TaxRateOutputSerializer(allow_null=True)
    price = MoneyField()
    cost_price = CostField()
    barcodes = BarcodeOutputSerializer(many=True)
    prices = ProductPriceOutputSerializer(many=True, source="list_prices")
    image = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = [
            "id", "name", "sku", "description", "image", "kind", "sold_by_weight", "is_active",
            "category", "brand", "unit", "tax_rate", "price", "cost_price", "variant_of",
            "variant_attributes", "barcodes", "prices", "created_at", "updated_at",
        ]  # fmt: skip

    def get_image(self, product: Product) -> str | None:
        return product.image.url if product.image else None


class ProductOutputSerializer(VariantOutputSerializer):
    variants = VariantOutputSerializer(many=True)

    class Meta(VariantOutputSerializer.Meta):
        fields = [*VariantOutputSerializer.Meta.fields, "variants"]
