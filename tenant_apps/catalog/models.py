"""What a business sells: products (and their variants), barcodes, prices, taxes, units."""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Q

from saas_platform.money import money_field
from saas_platform.quantities import quantity_field


class Category(models.Model):
    name = models.CharField(max_length=120)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="catalog_category_unique_name"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(parent=None), name="catalog_category_unique_root"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Brand(models.Model):
    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A unit of measure: piece, kilogram, litre…"""

    code = models.CharField(max_length=12, unique=True)
    name = models.CharField(max_length=60)
    # Weighed goods are sold in fractions; counted goods in whole units.
    is_fractional = models.BooleanField(default=False)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class TaxRate(models.Model):
    name = models.CharField(max_length=60, unique=True)
    rate = models.DecimalField(max_digits=6, decimal_places=3, help_text="Percent, e.g. 16.000")
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(rate__gte=0, rate__lte=100), name="tax_rate_range"),
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="tax_rate_one_default"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.rate}%)"


class ProductKind(models.TextChoices):
    STOCK = "stock", "Stock item"  # counted and moved through inventory
    SERVICE = "service", "Service"  # sold but never stocked


class Product(models.Model):
    """A sellable item. A product with variants is a parent whose variants are products too.

    Stock, barcodes and prices always point at the sellable row: a standalone product or a
    variant. A parent groups its variants and is not sold itself.
    """

    name = models.CharField(max_length=200)
    sku = models.CharField(max_length=64, unique=True)
    description = models.TextField(blank=True)
    image = models.ImageField(upload_to="products/", blank=True)
    kind = models.CharField(max_length=10, choices=ProductKind.choices, default=ProductKind.STOCK)
    sold_by_weight = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="products"
    )
    brand = models.ForeignKey(
        Brand, null=True, blank=True, on_delete=models.PROTECT, related_name="products"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="products")
    tax_rate = models.ForeignKey(
        TaxRate, null=True, blank=True, on_delete=models.PROTECT, related_name="products"
    )
    variant_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="variants"
    )
    variant_attributes = models.JSONField(default=dict, blank=True)
    # Retail price (tax handling follows the business's setting) and the standard cost.
    price = money_field()
    cost_price = money_field()
    created_at = models.DateTimeField(auto_now_add=True)
    # Also moved on by a change of its barcodes or list prices, which the product shows.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    search_document = models.GeneratedField(
        expression=SearchVector("name", "sku", config="simple"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["name", "sku"]
        indexes = [
            GinIndex("search_document", name="catalog_product_search"),
            models.Index(fields=["category", "name"], name="catalog_product_category"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="product_price_not_negative"),
            models.CheckConstraint(
                condition=Q(cost_price__gte=0), name="product_cost_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(variant_of=models.F("pk")), name="product_not_its_own_variant"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"

    @property
    def is_tracked(self) -> bool:
        return self.kind == ProductKind.STOCK


class Symbology(models.TextChoices):
    EAN13 = "ean13", "EAN-13"
    EAN8 = "ean8", "EAN-8"
    UPCA = "upca", "UPC-A"
    INTERNAL = "internal", "Internal code"


class Barcode(models.Model):
    """A code a scanner reads; a pack barcode stands for several units (a box of 12)."""

    code = models.CharField(max_length=64, unique=True)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="barcodes")
    symbology = models.CharField(max_length=10, choices=Symbology.choices)
    pack_quantity = quantity_field(default=1)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(pack_quantity__gt=0), name="barcode_pack_positive"),
        ]

    def __str__(self) -> str:
        return self.code


class PriceList(models.Model):
    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=80)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ProductPrice(models.Model):
    """A product's price on a price list other than the retail price (e.g. wholesale)."""

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="prices")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="list_prices")
    price = money_field()
    min_quantity = quantity_field(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["price_list", "product", "min_quantity"], name="product_price_unique"
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="list_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} @ {self.price_list_id}: {self.price}"
