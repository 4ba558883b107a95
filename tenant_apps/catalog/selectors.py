"""Reads of the catalog, with their eager loading."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)

from saas_platform.changes import changed_since
from saas_platform.rows import row_found
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

PATH_SEPARATOR = "/"
# Levels of the category tree, the top level included ("Drinks/Soda/Diet" has three): every
# read of the tree walks all of it, and a CSV path of thousands of levels made that take seconds.
# The services refuse anything deeper (category_create, category_update, the CSV import).
MAX_CATEGORY_DEPTH = 8


# --- Categories ---------------------------------------------------------------------------------


@dataclass
class CategoryNode:
    category: Category
    path: str
    children: list[CategoryNode] = field(default_factory=list)


def category_list() -> list[Category]:
    return list(Category.objects.order_by("name", "pk"))


def _category_levels(categories: Iterable[Category]) -> dict[int, tuple[tuple[str, ...], int]]:
    """``{id: (names of its last MAX_CATEGORY_DEPTH levels, its depth)}``, each category's
    built on its parent's, so a tree costs one pass whatever its shape."""
    by_id = {category.pk: category for category in categories}
    levels: dict[int, tuple[tuple[str, ...], int]] = {}
    for category in by_id.values():
        chain: list[Category] = []
        climbed: set[int] = set()
        current: Category | None = category
        # Climb to a category already done, the top, or (a corrupt row: the services refuse
        # cycles) a loop, which is then read as a top.
        while current is not None and current.pk not in levels and current.pk not in climbed:
            chain.append(current)
            climbed.add(current.pk)
            parent_id = current.parent_id
            current = by_id.get(parent_id) if parent_id is not None else None
        names, depth = (
            levels[current.pk] if current is not None and current.pk in levels else ((), 0)
        )
        for node in reversed(chain):
            depth += 1
            names = (*names, node.name)[-MAX_CATEGORY_DEPTH:]
            levels[node.pk] = (names, depth)
    return levels


def category_paths(categories: Iterable[Category]) -> dict[int, str]:
    """``{id: "Drinks/Soda"}`` for every category, from one list of rows (no queries).

    A branch deeper than MAX_CATEGORY_DEPTH (only possible from before that limit) shows its
    last levels after "…/".
    """
    return {
        pk: ("…" + PATH_SEPARATOR if depth > len(names) else "") + PATH_SEPARATOR.join(names)
        for pk, (names, depth) in _category_levels(categories).items()
    }


def category_tree() -> list[CategoryNode]:
    """The tree, MAX_CATEGORY_DEPTH levels at most: deeper categories (only possible from before
    that limit) are left out of it, though not out of the flat list."""
    categories = category_list()
    levels = _category_levels(categories)
    paths = category_paths(categories)
    nodes = {
        c.pk: CategoryNode(category=c, path=paths[c.pk])
        for c in categories
        if levels[c.pk][1] <= MAX_CATEGORY_DEPTH
    }
    roots: list[CategoryNode] = []
    for category in categories:
        node = nodes.get(category.pk)
        if node is None:
            continue
        if category.parent_id is None or category.parent_id not in nodes:
            roots.append(node)
        else:
            nodes[category.parent_id].children.append(node)
    return roots


def category_get(category_id: int) -> Category | None:
    return Category.objects.filter(pk=category_id).first()


def category_path(category: Category) -> str:
    return category_paths(category_list())[category.pk]


def category_descendant_ids(category_id: int) -> set[int]:
    """The category and everything below it."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found = {category_id}
    stack = [category_id]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


# --- Reference data -----------------------------------------------------------------------------


def brand_list() -> QuerySet[Brand]:
    return Brand.objects.order_by("name", "pk")


def unit_list() -> QuerySet[Unit]:
    return Unit.objects.order_by("code", "pk")


def tax_rate_list() -> QuerySet[TaxRate]:
    return TaxRate.objects.order_by("name", "pk")


def tax_rate_default() -> TaxRate | None:
    return TaxRate.objects.filter(is_default=True).first()


def price_list_list() -> QuerySet[PriceList]:
    return PriceList.objects.order_by("code", "pk")


# --- Products -----------------------------------------------------------------------------------


def _product_base() -> QuerySet[Product]:
    return Product.objects.select_related("category", "brand", "unit", "tax_rate").prefetch_related(
        "barcodes",
        Prefetch(
            "list_prices",
            queryset=ProductPrice.objects.select_related("price_list").order_by(
                "price_list__code", "min_quantity", "pk"
            ),
        ),
    )


def _with_variants(products: QuerySet[Product]) -> QuerySet[Product]:
    return products.prefetch_related(
        Prefetch("variants", queryset=_product_base().order_by("name", "sku", "pk"))
    )


def product_get(product_id: int) -> Product | None:
    return _with_variants(_product_base()).filter(pk=product_id).first()


# Every character that means something in tsquery syntax (& | ! ( ) : * < > ' \ and blanks)
# falls outside \w, so keeping only word characters leaves plain words to prefix-match.
_WORD = re.compile(r"\w+")


def prefix_tsquery(text: str) -> str:
    """``"sug bro"`` → ``"sug:* & bro:*"``: every word must start some word of the product."""
    words = _WORD.findall(text.lower())
    return " & ".join(f"{word}:*" for word in words)


def product_list(
    *,
    q: str = "",
    category_id: int | None = None,
    is_active: bool | None = None,
    kind: str | None = None,
    updated_since: datetime | None = None,
) -> QuerySet[Product]:
    """Products for the back office and the till's search box.

    Without ``q``: standalone products and variant parents, each with its variants. With ``q``:
    every product that matches, variants included, exact SKU or barcode matches first, then by
    full-text rank. Ties break on name, SKU and id so that pages never overlap.

    With ``updated_since`` (a client that syncs): every product changed since then, variants
    included as rows of their own and inactive ones too unless ``is_active`` says otherwise (a
    till must learn that a product was withdrawn), oldest change first.
    """
    products = _product_base()
    if category_id is not None:
        products = products.filter(category_id__in=category_descendant_ids(category_id))
    if is_active is not None:
        products = products.filter(is_active=is_active)
    if kind:
        products = products.filter(kind=kind)

    q = q.strip()
    if updated_since is not None:
        matching = products.filter(_search(q)[0]) if q else products
        return changed_since(_with_variants(matching), updated_since)
    if not q:
        return _with_variants(products.filter(variant_of__isnull=True)).order_by(
            "name", "sku", "pk"
        )

    matches, exact, rank = _search(q)
    return (
        _with_variants(products)
        .filter(matches)
        .annotate(
            exact_match=Case(
                When(exact, then=Value(1)), default=Value(0), output_field=IntegerField()
            ),
            rank=rank,
        )
        .order_by("-exact_match", "-rank", "name", "sku", "pk")
    )


def _search(q: str) -> tuple[Q, Q, F | SearchRank | Value]:
    """What ``q`` matches (an exact SKU or barcode, or words that start words of the name or
    SKU), what of that is exact, and the full-text rank to order by."""
    exact = Q(sku__iexact=q) | Q(Exists(Barcode.objects.filter(product=OuterRef("pk"), code=q)))
    matches = exact
    rank: F | SearchRank | Value = Value(0.0)
    tsquery = prefix_tsquery(q)
    if tsquery:
        query = SearchQuery(tsquery, search_type="raw", config="simple")
        matches = matches | Q(search_document=query)
        rank = SearchRank(F("search_document"), query)
    return matches, exact, rank


def products_for_export() -> QuerySet[Product]:
    # Parents before their variants so that an import of the file can resolve `variant_of`.
    return (
        Product.objects.select_related("category", "brand", "unit", "tax_rate", "variant_of")
        .prefetch_related("barcodes")
        .annotate(is_variant=Case(When(variant_of__isnull=True, then=Value(0)), default=Value(1)))
        .order_by("is_variant", "sku")
    )


def barcode_lookup(code: str) -> Barcode | None:
    """The scanner's query: one indexed lookup of the code, with what the till needs."""
    return (
        Barcode.objects.select_related("product__unit", "product__tax_rate")
        .filter(code=code.strip())
        .first()
    )


# --- One row by id: NotFound (a 404) when there is none ------------------------------------------


def brand_get(brand_id: int) -> Brand:
    return row_found(Brand, pk=brand_id, missing="No such brand.")


def unit_get(unit_id: int) -> Unit:
    return row_found(Unit, pk=unit_id, missing="No such unit.")


def tax_rate_get(tax_rate_id: int) -> TaxRate:
    return row_found(TaxRate, pk=tax_rate_id, missing="No such tax rate.")


def price_list_get(price_list_id: int) -> PriceList:
    return row_found(PriceList, pk=price_list_id, missing="No such price list.")


def product_find(product_id: int) -> Product | None:
    """The product row alone (no prices or variants), for a caller that names one by id."""
    return Product.objects.filter(pk=product_id).first()
