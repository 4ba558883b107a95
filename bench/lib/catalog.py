"""Bulk catalog data for benchmarks. Import it only once Django is set up (``scratch_django``)."""

from __future__ import annotations

import random
from decimal import Decimal

from moneyed import Money

from tenant_apps.catalog.models import Product, TaxRate, Unit


def products_create(
    numbers: range, *, rng: random.Random, currency: str, sku_digits: int
) -> list[Product]:
    """One product per number in the current business, in one INSERT: "Product <n>", SKU
    "SKU-<n>" padded to ``sku_digits``, sold by the piece at the default tax rate, priced at
    random from 10 to 5,000 (one ``rng`` draw each, in order) with a cost of 5."""
    unit = Unit.objects.get(code="pc")
    tax = TaxRate.objects.get(is_default=True)
    return Product.objects.bulk_create(
        [
            Product(
                name=f"Product {n}",
                sku=f"SKU-{n:0{sku_digits}d}",
                unit=unit,
                tax_rate=tax,
                price=Money(Decimal(rng.randint(10, 5000)), currency),
                cost_price=Money(Decimal(5), currency),
            )
            for n in numbers
        ]
    )
