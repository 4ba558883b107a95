"""What the terminal keeps offline: a compact snapshot of the catalog and the customers.

Rows are arrays rather than objects (10,000 products in well under a megabyte before gzip) and
only what a till needs: no costs, no descriptions, no images. A delta (``since``) carries every
product and customer changed since then, deactivated ones included, so the terminal can drop
them; categories and tax rates are few and always sent whole.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone

from saas_platform.money import minor_unit_exponent
from saas_platform.tenancy import current_business
from tenant_apps.catalog.models import Barcode, Product, ProductKind
from tenant_apps.catalog.selectors import category_list, category_paths, tax_rate_list
from tenant_apps.customers.selectors import customer_list

# A product saved in a transaction that commits after a snapshot was read may carry an
# updated_at just before that snapshot's time; asking again a little further back catches it
# (the terminal merges by id, so repeats are harmless).
DELTA_OVERLAP = timedelta(minutes=2)

# Bits of a product row's flags.
ACTIVE = 1
SOLD_BY_WEIGHT = 2
FRACTIONAL = 4
SERVICE = 8


@dataclass(frozen=True)
class Snapshot:
    at: datetime
    full: bool
    data: dict[str, Any]


def _product_rows(since: datetime | None) -> list[list[Any]]:
    # Plain tuples, not model instances: 10,000 products with their barcodes in two queries
    # and a few hundred milliseconds.
    products = (
        Product.objects
        # A parent is sold through its variants, never itself.
        .exclude(Exists(Product.objects.filter(variant_of=OuterRef("pk")))).order_by("pk")
    )
    if since is None:
        products = products.filter(is_active=True)
    else:
        products = products.filter(updated_at__gte=since - DELTA_OVERLAP)
    rows = list(
        products.values_list(
            "pk", "name", "sku", "price", "tax_rate_id", "category_id",
            "is_active", "sold_by_weight", "unit__is_fractional", "kind",
        )
    )  # fmt: skip
    codes: dict[int, list[str]] = defaultdict(list)
    barcodes = Barcode.objects.filter(product__in=products).order_by("product_id", "code")
    for product_id, code, pack in barcodes.values_list("product_id", "code", "pack_quantity"):
        codes[product_id].append(code if pack == 1 else f"{code}*{pack.normalize():f}")
    out = []
    for pk, name, sku, price, tax_rate_id, category_id, active, by_weight, fractional, kind in rows:
        flags = (
            (ACTIVE if active else 0)
            | (SOLD_BY_WEIGHT if by_weight else 0)
            | (FRACTIONAL if fractional else 0)
            | (SERVICE if kind == ProductKind.SERVICE else 0)
        )
        out.append(
            [pk, name, sku, f"{price.normalize():f}", tax_rate_id, category_id, flags,
             " ".join(codes.get(pk, ()))]
        )  # fmt: skip
    return out


def _customer_rows(since: datetime | None) -> list[list[Any]]:
    customers = customer_list(active=True if since is None else None)
    if since is not None:
        customers = customers.filter(updated_at__gte=since - DELTA_OVERLAP)
    return [
        [
            customer.pk,
            customer.code,
            customer.name,
            customer.phone,
            customer.price_list.code if customer.price_list is not None else "",
            1 if customer.is_active else 0,
        ]
        for customer in customers
    ]


def terminal_snapshot(*, since: datetime | None, with_customers: bool) -> Snapshot:
    """Everything (``since`` None: active rows only) or what changed since ``since``."""
    at = timezone.now()
    business = current_business()
    categories = category_list()
    paths = category_paths(categories)
    data = {
        "at": at.isoformat(),
        "full": since is None,
        "currency": business.currency,
        "places": minor_unit_exponent(business.currency),
        "prices_include_tax": business.prices_include_tax,
        "tax_rates": [
            [rate.pk, f"{rate.rate.normalize():f}", rate.name, rate.is_default]
            for rate in tax_rate_list()
        ],
        "categories": [[category.pk, paths[category.pk]] for category in categories],
        "products": _product_rows(since),
        "customers": _customer_rows(since) if with_customers else [],
    }
    return Snapshot(at=at, full=since is None, data=data)
