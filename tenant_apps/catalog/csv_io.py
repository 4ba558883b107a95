"""Product CSV export and all-or-nothing import.

The import checks every row before writing anything and reports every problem, keyed
``row N.column`` (the header is row 1); if any row is bad nothing is written. A good file is
written in one transaction through the same services the API uses.

Every cell is checked against its column before anything is written: text no longer than the
column, no NUL or other control characters, amounts that fit the column (``1e30``, ``NaN`` and
``Infinity`` are refused), category paths at most MAX_CATEGORY_DEPTH levels deep. The export
writes through the one formula-safe CSV writer (saas_platform/safe_csv.py), which neutralises
cells a spreadsheet would run as formulas; the import undoes that, so an exported file imports
back unchanged.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from saas_platform.csv_import import cell_amount, csv_records, refuse_rows, rekeyed
from saas_platform.errors import DukaError, FieldErrorCollector, ValidationFailed
from saas_platform.limits import (
    MAX_TEXT_LENGTH,
    InvalidJson,
    decimal_problem,
    has_control_characters,
    json_loads,
    shown,
)
from saas_platform.money import format_amount
from saas_platform.safe_csv import csv_writer, unescaped
from tenant_apps.catalog.barcodes import classify
from tenant_apps.catalog.models import (
    Barcode,
    Brand,
    Product,
    ProductKind,
    ProductPrice,
    TaxRate,
    Unit,
)
from tenant_apps.catalog.selectors import category_list, category_paths, products_for_export
from tenant_apps.catalog.services import (
    ProductFields,
    barcode_add,
    brand_create,
    category_ensure_path,
    category_path_problems,
    column_length,
    product_create,
    product_update,
    variant_attributes_problems,
)

COLUMNS = [
    "sku",
    "name",
    "description",
    "category",
    "brand",
    "unit",
    "kind",
    "sold_by_weight",
    "price",
    "cost_price",
    "tax_rate",
    "barcodes",
    "active",
    "variant_of",
    "variant_attributes",
]
REQUIRED_COLUMNS = ("sku", "name")
BARCODE_SEPARATOR = "|"
PACK_SEPARATOR = "*"
# Written for a product without any tax rate, since a blank cell means "the default rate".
NO_TAX = "none"
MAX_ROWS = 20_000
TRUE_WORDS = {"true", "yes", "1", "y"}
FALSE_WORDS = {"false", "no", "0", "n"}


# --- Export -------------------------------------------------------------------------------------


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _barcode_cell(barcodes: Iterable[Barcode]) -> str:
    cells = []
    for barcode in sorted(barcodes, key=lambda b: b.code):
        quantity = barcode.pack_quantity
        cells.append(
            barcode.code
            if quantity == 1
            else f"{barcode.code}{PACK_SEPARATOR}{quantity.normalize():f}"
        )
    return BARCODE_SEPARATOR.join(cells)


def products_export_csv() -> str:
    paths = category_paths(category_list())
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for product in products_for_export():
        writer.writerow(
            [
                product.sku,
                product.name,
                product.description,
                paths.get(product.category_id, "") if product.category_id else "",
                product.brand.name if product.brand else "",
                product.unit.code,
                product.kind,
                _flag(product.sold_by_weight),
                format_amount(product.price),
                format_amount(product.cost_price),
                product.tax_rate.name if product.tax_rate else NO_TAX,
                _barcode_cell(product.barcodes.all()),
                _flag(product.is_active),
                product.variant_of.sku if product.variant_of else "",
                json.dumps(product.variant_attributes, sort_keys=True, ensure_ascii=False)
                if product.variant_attributes
                else "",
            ]
        )
    return out.getvalue()


# --- Import -------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0


@dataclass
class _Row:
    number: int
    sku: str
    fields: ProductFields = field(default_factory=lambda: ProductFields())
    category_path: str | None = None  # None: column absent; "": no category
    brand_name: str | None = None
    barcodes: dict[str, Decimal] | None = None  # None: column absent
    variant_of_sku: str | None = None


class _Reader:
    """Validates rows against the business's current catalog, collecting every problem."""

    def __init__(self, header: list[str]) -> None:
        self.header = header
        self.errors = FieldErrorCollector()
        self.units = {u.code.lower(): u for u in Unit.objects.all()}
        self.tax_rates = {t.name.lower(): t for t in TaxRate.objects.all()}
        self.default_tax = next((t for t in self.tax_rates.values() if t.is_default), None)
        self.products = {
            sku: (pk, parent_id)
            for sku, pk, parent_id in Product.objects.values_list("sku", "pk", "variant_of_id")
        }
        self.barcode_owner = dict(Barcode.objects.values_list("code", "product__sku"))

    def error(self, number: int, column: str, code: str, message: str) -> None:
        self.errors.add(f"row {number}.{column}", code, message)

    def amount(self, number: int, column: str, text: str) -> Decimal | None:
        value, problem = cell_amount(text, ProductPrice, "price")
        if problem is not None:
            self.error(number, column, *problem)
        return value

    def text(self, number: int, column: str, text: str, limit: int) -> str:
        if len(text) > limit:
            self.error(number, column, "too_long", f"At most {limit} characters.")
        return text

    def flag(self, number: int, column: str, text: str) -> bool | None:
        word = text.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        self.error(number, column, "invalid", f"“{text}” is not true or false.")
        return None

    def barcodes(self, number: int, text: str) -> dict[str, Decimal]:
        found: dict[str, Decimal] = {}
        for part in (p.strip() for p in text.split(BARCODE_SEPARATOR)):
            if not part:
                continue
            code, _, quantity_text = part.partition(PACK_SEPARATOR)
            quantity = Decimal(1)
            if quantity_text:
                try:
                    quantity = Decimal(quantity_text)
                except InvalidOperation:
                    quantity = Decimal(0)
                if not quantity.is_finite() or quantity <= 0:
                    self.error(
                        number, "barcodes", "invalid_pack_quantity",
                        f"“{shown(quantity_text)}” after {PACK_SEPARATOR} must be a quantity "
                        "above zero.",
                    )  # fmt: skip
                    continue
                too_big = decimal_problem(quantity, Barcode, "pack_quantity")
                if too_big is not None:
                    self.error(number, "barcodes", too_big[0], f"Pack quantity: {too_big[1]}")
                    continue
            try:
                code, _symbology = classify(code, field="barcodes")
            except ValidationFailed as invalid:
                for problem in invalid.fields.get("barcodes", []):
                    self.error(number, "barcodes", problem["code"], problem["message"])
                continue
            found[code] = quantity
        return found

    def clean(self, number: int, cells: dict[str, str]) -> dict[str, str]:
        """The cells as written before export neutralised them; NUL and other control
        characters (PostgreSQL refuses NUL in text) are an error of their cell."""
        cleaned = {}
        for column, cell in cells.items():
            cell = unescaped(cell)
            if has_control_characters(cell, allow_whitespace=True):
                self.error(
                    number, column, "invalid_characters",
                    "Cannot contain NUL or other control characters.",
                )  # fmt: skip
                cell = "".join(c for c in cell if not has_control_characters(c))
            cleaned[column] = cell
        return cleaned

    def row(self, number: int, cells: dict[str, str]) -> _Row:
        cells = self.clean(number, cells)
        sku = self.text(number, "sku", cells["sku"].strip(), column_length(Product, "sku"))
        row = _Row(number=number, sku=sku)
        exists = sku in self.products
        if not sku:
            self.error(number, "sku", "blank", "Every row needs a SKU.")
        name = self.text(number, "name", cells["name"].strip(), column_length(Product, "name"))
        if name:
            row.fields["name"] = name
        elif not exists:
            self.error(number, "name", "blank", "A new product needs a name.")
        if "sku" in cells:
            row.fields["sku"] = sku
        if "description" in cells:
            row.fields["description"] = self.text(
                number, "description", cells["description"].strip(), MAX_TEXT_LENGTH
            )
        if "category" in cells:
            row.category_path = cells["category"].strip().strip("/")
            if row.category_path:
                for problems in category_path_problems(row.category_path).fields.values():
                    for problem in problems:
                        self.error(number, "category", problem["code"], problem["message"])
        if "brand" in cells:
            row.brand_name = self.text(
                number, "brand", cells["brand"].strip(), column_length(Brand, "name")
            )

        unit_code = cells.get("unit", "").strip().lower()
        if unit_code:
            unit = self.units.get(unit_code)
            if unit is None:
                known = ", ".join(sorted(self.units))
                self.error(
                    number,
                    "unit",
                    "unknown_unit",
                    f"No unit “{shown(unit_code)}” (known: {known}).",
                )
            else:
                row.fields["unit_id"] = unit.pk
        elif not exists:
            if "pc" in self.units:
                row.fields["unit_id"] = self.units["pc"].pk
            else:
                self.error(number, "unit", "blank", "A new product needs a unit.")

        kind = cells.get("kind", "").strip().lower()
        if kind:
            if kind not in ProductKind.values:
                self.error(
                    number, "kind", "invalid_choice", f"Kind is {' or '.join(ProductKind.values)}."
                )
            row.fields["kind"] = kind
        for column, key in (("sold_by_weight", "sold_by_weight"), ("active", "is_active")):
            text = cells.get(column, "").strip()
            if text:
                value = self.flag(number, column, text)
                if value is not None:
                    row.fields[key] = value  # type: ignore[literal-required]

        price_text = cells.get("price", "").strip()
        if price_text:
            price = self.amount(number, "price", price_text)
            if price is not None:
                row.fields["price"] = price
        elif not exists:
            self.error(number, "price", "blank", "A new product needs a price.")
        cost_text = cells.get("cost_price", "").strip()
        if cost_text:
            cost = self.amount(number, "cost_price", cost_text)
            if cost is not None:
                row.fields["cost_price"] = cost

        if "tax_rate" in cells:
            tax_name = cells["tax_rate"].strip().lower()
            if tax_name == NO_TAX:
                row.fields["tax_rate_id"] = None
            elif not tax_name:
                row.fields["tax_rate_id"] = self.default_tax.pk if self.default_tax else None
            elif tax_name in self.tax_rates:
                row.fields["tax_rate_id"] = self.tax_rates[tax_name].pk
            else:
                known = ", ".join(t.name for t in self.tax_rates.values())
                self.error(
                    number, "tax_rate", "unknown_tax_rate",
                    f"No tax rate “{shown(cells['tax_rate'].strip())}” (known: {known}, "
                    f"or {NO_TAX}).",
                )  # fmt: skip

        if "barcodes" in cells:
            row.barcodes = self.barcodes(number, cells["barcodes"])
        if "variant_of" in cells:
            row.variant_of_sku = cells["variant_of"].strip()
        attributes_text = cells.get("variant_attributes", "").strip()
        if attributes_text:
            try:
                # The API's JSON limits: no deep nesting, no NaN, no NUL.
                attributes = json_loads(attributes_text)
            except (InvalidJson, ValidationFailed):
                attributes = None
            if not isinstance(attributes, dict):
                self.error(
                    number, "variant_attributes", "invalid",
                    'Write variant attributes as a JSON object, e.g. {"size": "500 ml"}.',
                )  # fmt: skip
            else:
                refusals = variant_attributes_problems(attributes)
                for code, message in refusals:
                    self.error(number, "variant_attributes", code, message)
                if not refusals:
                    row.fields["variant_attributes"] = attributes
        elif "variant_attributes" in cells:
            row.fields["variant_attributes"] = {}
        return row

    def across_rows(self, rows: list[_Row]) -> None:
        first_row_of: dict[str, int] = {}
        for row in rows:
            if row.sku and row.sku in first_row_of:
                self.error(
                    row.number, "sku", "duplicate",
                    f"SKU {row.sku} is already on row {first_row_of[row.sku]}.",
                )  # fmt: skip
            first_row_of.setdefault(row.sku, row.number)
        in_file = {row.sku: row for row in rows}

        code_row: dict[str, int] = {}
        for row in rows:
            for code in row.barcodes or {}:
                if code in code_row:
                    self.error(
                        row.number, "barcodes", "duplicate",
                        f"Barcode {code} is already on row {code_row[code]}.",
                    )  # fmt: skip
                    continue
                code_row[code] = row.number
                owner = self.barcode_owner.get(code)
                released = (
                    owner in in_file
                    and in_file[owner].barcodes is not None
                    and code not in (in_file[owner].barcodes or {})
                )
                if owner is not None and owner != row.sku and not released:
                    self.error(
                        row.number, "barcodes", "duplicate",
                        f"Barcode {code} already belongs to product {owner}.",
                    )  # fmt: skip

        for row in rows:
            parent_sku = row.variant_of_sku
            if not parent_sku:
                continue
            if parent_sku == row.sku:
                self.error(
                    row.number,
                    "variant_of",
                    "variant_of_self",
                    "A product cannot be its own variant.",
                )
                continue
            if parent_sku in in_file:
                parent_parent = in_file[parent_sku].variant_of_sku
                parent_is_variant = (
                    bool(parent_parent)
                    if parent_parent is not None
                    else (self.products.get(parent_sku, (0, None))[1] is not None)
                )
            elif parent_sku in self.products:
                parent_is_variant = self.products[parent_sku][1] is not None
            else:
                self.error(
                    row.number, "variant_of", "does_not_exist",
                    f"No product with SKU {shown(parent_sku)} in the file or the catalog.",
                )  # fmt: skip
                continue
            if parent_is_variant:
                self.error(
                    row.number, "variant_of", "variant_of_variant",
                    f"{parent_sku} is itself a variant; a variant's parent cannot be one.",
                )  # fmt: skip


@transaction.atomic
def products_import_csv(*, content: bytes | str) -> ImportResult:
    header, records = csv_records(
        content, columns=COLUMNS, required=REQUIRED_COLUMNS, max_rows=MAX_ROWS
    )
    reader = _Reader(header)
    rows = [reader.row(index + 2, cells) for index, cells in enumerate(records)]
    reader.across_rows(rows)
    refuse_rows(reader.errors)

    result = ImportResult()
    brands = {b.name.lower(): b for b in Brand.objects.all()}
    # Parents first, so a variant's parent exists when the variant is written.
    ordered = sorted(rows, key=lambda r: (bool(r.variant_of_sku), r.number))
    products: dict[str, Product] = {}
    for row in ordered:
        try:
            fields: ProductFields = dict(row.fields)  # type: ignore[assignment]
            if row.category_path is not None:
                fields["category_id"] = (
                    category_ensure_path(path=row.category_path).pk if row.category_path else None
                )
            if row.brand_name is not None:
                if not row.brand_name:
                    fields["brand_id"] = None
                else:
                    brand = brands.get(row.brand_name.lower()) or brand_create(name=row.brand_name)
                    brands[brand.name.lower()] = brand
                    fields["brand_id"] = brand.pk
            if row.variant_of_sku is not None:
                parent = (
                    products.get(row.variant_of_sku)
                    or Product.objects.filter(sku=row.variant_of_sku).first()
                )
                fields["variant_of_id"] = parent.pk if (row.variant_of_sku and parent) else None
            existing = Product.objects.filter(sku=row.sku).values_list("pk", flat=True).first()
            if existing is None:
                products[row.sku] = product_create(fields=fields)
                result.created += 1
            else:
                products[row.sku] = product_update(product_id=existing, fields=fields)
                result.updated += 1
        except DukaError as error:
            raise rekeyed(error, row.number) from error

    _write_barcodes(rows, products)
    return result


def _write_barcodes(rows: list[_Row], products: dict[str, Product]) -> None:
    listed = [row for row in rows if row.barcodes is not None]
    # Drop codes that rows no longer list before adding any, so a code can move between
    # products within one file.
    for row in listed:
        product = products[row.sku]
        Barcode.objects.filter(product=product).exclude(code__in=list(row.barcodes or {})).delete()
    for row in listed:
        product = products[row.sku]
        current = {b.code: b for b in Barcode.objects.filter(product=product)}
        for code, quantity in (row.barcodes or {}).items():
            try:
                if code in current:
                    if current[code].pack_quantity != quantity:
                        current[code].pack_quantity = quantity
                        current[code].save(update_fields=["pack_quantity"])
                else:
                    barcode_add(product_id=product.pk, code=code, pack_quantity=quantity)
            except DukaError as error:
                raise rekeyed(error, row.number) from error


def import_result_body(result: ImportResult) -> dict[str, Any]:
    return {"created": result.created, "updated": result.updated}
