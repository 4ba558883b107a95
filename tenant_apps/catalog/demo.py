"""A realistic catalog for the demo business: a Kenyan mini-mart of about 300 products."""

from __future__ import annotations

import random
import tomllib
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.db import transaction

from tenant_apps.catalog.barcodes import with_check_digit
from tenant_apps.catalog.models import PriceList, Product, TaxRate, Unit
from tenant_apps.catalog.services import (
    ProductFields,
    barcode_add,
    brand_create,
    category_ensure_path,
    product_create,
    product_price_set,
)

# The ranges of packaged goods, as data: a category path, its unit, brands, item names, a retail
# price range in KES and whether the goods are exempt from VAT.
RANGES_FILE = Path(__file__).with_name("demo_catalog.toml")
Range = tuple[str, str, list[str], list[str], tuple[int, int], bool]


def _ranges() -> list[Range]:
    with RANGES_FILE.open("rb") as file:
        table = tomllib.load(file)
    return [
        (row["path"], row["unit"], row["brands"], row["items"], tuple(row["prices"]), row["exempt"])
        for row in table["range"]
    ]


PRODUCE = [  # sold by weight, per kg, zero-rated
    ("Tomatoes", 120),
    ("Onions", 140),
    ("Potatoes", 90),
    ("Cabbage", 60),
    ("Carrots", 110),
    ("Sukuma wiki", 80),
    ("Bananas", 100),
    ("Avocados", 150),
    ("Mangoes", 160),
    ("Oranges", 180),
]
AIRTIME = [("Safaricom", (50, 100, 250, 500, 1000)), ("Airtel", (50, 100, 250, 500))]
# Products sold in several sizes: a parent and one variant per size.
WITH_VARIANTS = [
    (
        "Drinks/Soda",
        "Coca-Cola",
        "Coca-Cola",
        [("300ml", 45), ("500ml", 65), ("1.25l", 120), ("2l", 190)],
    ),
    (
        "Staples/Rice and sugar",
        "Mumias",
        "Mumias sugar",
        [("1kg", 180), ("2kg", 350), ("5kg", 850)],
    ),
    ("Dairy/Milk", "Brookside", "Brookside milk", [("250ml", 35), ("500ml", 65), ("1l", 125)]),
]
TARGET = 300
COMPANY_PREFIX = "61612345"  # 616: GS1 Kenya; the rest an invented company number


def _money(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


class _Codes:
    """Distinct valid EAN-13 codes, in order."""

    def __init__(self) -> None:
        self.next_item = 1

    def take(self) -> str:
        code = with_check_digit(f"{COMPANY_PREFIX}{self.next_item:04d}")
        self.next_item += 1
        return code


def seed_demo_catalog() -> None:
    """Fills the active business's catalog; does nothing if it already has products."""
    if Product.objects.exists():
        return
    with transaction.atomic():
        _seed()


def _seed() -> None:
    rng = random.Random(20261121)  # noqa: S311 (demo data, not secrets)
    codes = _Codes()
    units = {u.code: u.pk for u in Unit.objects.all()}
    standard = TaxRate.objects.filter(is_default=True).first()
    zero = TaxRate.objects.filter(rate=0).first() or standard
    wholesale = PriceList.objects.filter(code="wholesale").first()
    brands: dict[str, int] = {}
    made = 0

    def tax_for(exempt: bool) -> int | None:
        rate = zero if exempt else standard
        return rate.pk if rate else None

    def brand(name: str) -> int:
        if name not in brands:
            brands[name] = brand_create(name=name).pk
        return brands[name]

    def add(fields: ProductFields, *, pack: int | None = None, barcode: bool = True) -> Product:
        nonlocal made
        product = product_create(fields=fields)
        made += 1
        if barcode:
            barcode_add(product_id=product.pk, code=codes.take())
        if pack:
            barcode_add(product_id=product.pk, code=codes.take(), pack_quantity=Decimal(pack))
            if wholesale is not None:
                per_unit = product.price.amount * Decimal("0.92")
                product_price_set(
                    product_id=product.pk,
                    price_list_id=wholesale.pk,
                    price=_money(per_unit),
                    min_quantity=Decimal(pack),
                )
        return product

    for path, brand_name, name, sizes in WITH_VARIANTS:
        category = category_ensure_path(path=path).pk
        parent = product_create(
            fields={
                "name": name,
                "sku": f"V-{name.upper().replace(' ', '-')}",
                "unit_id": units["pc"],
                "price": Decimal(sizes[0][1]),
                "category_id": category,
                "brand_id": brand(brand_name),
            }
        )
        for size, price in sizes:
            add(
                {
                    "name": f"{name} {size}",
                    "sku": f"{parent.sku}-{size.upper()}",
                    "unit_id": units["pc"],
                    "category_id": category,
                    "brand_id": brand(brand_name),
                    "price": Decimal(price),
                    "cost_price": _money(price * 0.78),
                    "variant_of_id": parent.pk,
                    "variant_attributes": {"size": size},
                },
                pack=24 if path.startswith("Drinks") else None,
            )

    produce = category_ensure_path(path="Fresh produce").pk
    for name, per_kg in PRODUCE:
        add(
            {
                "name": f"{name} (per kg)",
                "sku": f"FP-{name.upper().replace(' ', '-')}",
                "unit_id": units["kg"],
                "sold_by_weight": True,
                "category_id": produce,
                "price": Decimal(per_kg),
                "cost_price": _money(per_kg * 0.6),
                "tax_rate_id": tax_for(True),
            },
            # Weighed at the till and found by name, not by a printed barcode.
            barcode=False,
        )

    airtime = category_ensure_path(path="Airtime").pk
    for network, amounts in AIRTIME:
        for amount in amounts:
            add(
                {
                    "name": f"{network} airtime {amount}",
                    "sku": f"AIR-{network[:3].upper()}-{amount}",
                    "unit_id": units["pc"],
                    "kind": "service",
                    "category_id": airtime,
                    "brand_id": brand(network),
                    "price": Decimal(amount),
                    "cost_price": _money(amount * 0.95),
                    "tax_rate_id": None,
                },
                barcode=False,
            )

    ranges = _ranges()
    category_ids = {path: category_ensure_path(path=path).pk for path, *_rest in ranges}
    sequence = 0
    while made < TARGET:
        path, unit, brand_names, items, (low, high), exempt = ranges[sequence % len(ranges)]
        category = category_ids[path]
        brand_name = brand_names[(sequence // len(ranges)) % len(brand_names)]
        item = items[(sequence // (len(ranges) * len(brand_names))) % len(items)]
        sequence += 1
        sku = f"{path.split('/')[-1][:3].upper()}-{sequence:04d}"
        retail = _money(rng.uniform(low, high))
        add(
            {
                "name": f"{brand_name} {item}",
                "sku": sku,
                "unit_id": units[unit],
                "category_id": category,
                "brand_id": brand(brand_name),
                "price": retail,
                "cost_price": _money(retail * Decimal(str(rng.uniform(0.7, 0.85)))),
                "tax_rate_id": tax_for(exempt),
                "is_active": rng.random() > 0.02,
            },
            pack=24 if path.startswith("Drinks") and rng.random() < 0.5 else None,
        )
