"""Writes on the catalog. Each function validates everything it can and reports every problem
at once, then writes inside one transaction; database constraints back up the checks."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, TypedDict, TypeVar, cast

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from moneyed import Money

from saas_platform.errors import Conflict, FieldErrorCollector, NotFound, ValidationFailed
from saas_platform.limits import decimal_problem
from saas_platform.locking import lock_found, lock_rows
from saas_platform.rows import row_found
from saas_platform.tenancy import business_currency
from tenant_apps.catalog.barcodes import classify
from tenant_apps.catalog.models import (
    Barcode,
    Brand,
    Category,
    PriceList,
    Product,
    ProductKind,
    ProductPrice,
    TaxRate,
    Unit,
)
from tenant_apps.catalog.selectors import (
    MAX_CATEGORY_DEPTH,
    PATH_SEPARATOR,
    tax_rate_default,
)

M = TypeVar("M", bound=models.Model)
T = TypeVar("T")


def _ref(
    model: type[M], pk: int | None, *, field: str, errors: FieldErrorCollector, label: str
) -> M | None:
    """A row a product points at; an unknown id is a field error, not a 404 of the request."""
    if pk is None:
        return None
    found = model._default_manager.filter(pk=pk).first()
    if found is None:
        errors.add(field, "does_not_exist", f"No {label} with id {pk}.")
    return found


def _saved(write: Callable[[], T], *, field: str, message: str) -> T:
    """Runs ``write``; a unique-constraint violation (e.g. a concurrent duplicate) is a 409."""
    try:
        with transaction.atomic():
            return write()
    except IntegrityError as error:
        if "unique" not in str(error).lower() and "duplicate" not in str(error).lower():
            raise
        raise Conflict(
            message, code="duplicate", fields={field: [{"code": "duplicate", "message": message}]}
        ) from error


def _duplicate(field: str, message: str) -> Conflict:
    return Conflict(
        message, code="duplicate", fields={field: [{"code": "duplicate", "message": message}]}
    )


def _not_blank(value: str, field: str, errors: FieldErrorCollector) -> str:
    value = value.strip()
    if not value:
        errors.add(field, "blank", "This field may not be blank.")
    return value


def column_length(model: type[models.Model], name: str) -> int:
    """The length of a text column, as the model declares it."""
    return int(cast("models.CharField[Any, Any]", model._meta.get_field(name)).max_length or 0)


def _fits(
    value: str, *, field: str, errors: FieldErrorCollector, model: type[models.Model], name: str
) -> str:
    limit = column_length(model, name)
    if len(value) > limit:
        errors.add(field, "too_long", f"At most {limit} characters.")
    return value


def _amount(value: Decimal, field: str, errors: FieldErrorCollector) -> Decimal:
    value = Decimal(value)
    problem = decimal_problem(value, ProductPrice, "price")
    if problem is not None:
        errors.add(field, *problem)
        return Decimal(0)
    if value < 0:
        errors.add(field, "negative", "An amount cannot be negative.")
    return value


def _products_changed(products: QuerySet[Product]) -> None:
    """A product shows its category, brand, unit and tax rate, its barcodes and its list
    prices: a change of any of them is a change of the product for a client that syncs products
    (``updated_since``), which ``auto_now`` alone would not record."""
    products.update(updated_at=timezone.now())


def _in_use(what: str) -> Conflict:
    return Conflict(
        f"{what} is still in use; change the products that use it first.", code="in_use"
    )


def _check_free(
    model: type[models.Model], *, field: str, value: str, label: str, exclude: int | None = None
) -> None:
    """Raises a 409 when another row already has ``value`` in ``field`` (case ignored)."""
    clashes = model._default_manager.filter(**{f"{field}__iexact": value})
    if exclude is not None:
        clashes = clashes.exclude(pk=exclude)
    if clashes.exists():
        raise _duplicate(field, f"There is already a {label} “{value}”.")


def _save_unique(row: M, *, field: str, label: str) -> M:
    """Saves a row whose ``field`` no other row of its kind has (case ignored): a clash is a
    409, found before the write or, for a concurrent one, by the unique constraint."""
    value = getattr(row, field)
    _check_free(type(row), field=field, value=value, label=label, exclude=row.pk)
    _saved(row.save, field=field, message=f"{label.capitalize()} “{value}” exists.")
    return row


def _delete_unless_used(row: models.Model, *, users: QuerySet[Any], what: str) -> None:
    if users.exists():
        raise _in_use(what)
    row.delete()


# --- Categories ---------------------------------------------------------------------------------


def _check_category_name(name: str, errors: FieldErrorCollector, field: str = "name") -> str:
    name = _not_blank(name, field, errors)
    if PATH_SEPARATOR in name:
        errors.add(field, "invalid", f"A category name cannot contain “{PATH_SEPARATOR}”.")
    return _fits(name, field=field, errors=errors, model=Category, name="name")


def _too_deep(field: str, errors: FieldErrorCollector) -> None:
    errors.add(
        field,
        "too_deep",
        f"Categories nest at most {MAX_CATEGORY_DEPTH} levels deep.",
    )


def _level_of(category_id: int | None, parents: Mapping[int, int | None]) -> int:
    """1 for a top-level category, 2 below it…; 0 for "no category"."""
    level, seen = 0, set()
    while category_id is not None and category_id not in seen:
        seen.add(category_id)
        level += 1
        category_id = parents.get(category_id)
    return level


def _height_below(category_id: int, parents: Mapping[int, int | None]) -> int:
    """Levels from ``category_id`` down to its deepest descendant (1 for a leaf)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in parents.items():
        children.setdefault(parent_id, []).append(pk)
    height, level, seen = 0, [category_id], {category_id}
    while level:
        height += 1
        level = [c for pk in level for c in children.get(pk, []) if c not in seen]
        seen.update(level)
    return height


def category_path_problems(path: str) -> FieldErrorCollector:
    """What is wrong with a path such as ``Drinks/Soda`` (the CSV's ``category`` column)."""
    errors = FieldErrorCollector()
    levels = [part.strip() for part in path.split(PATH_SEPARATOR)]
    if len(levels) > MAX_CATEGORY_DEPTH:
        _too_deep("category", errors)
        return errors
    if any(not level for level in levels):
        errors.add("category", "invalid", "A category path cannot have an empty level.")
    for level in levels:
        _fits(level, field="category", errors=errors, model=Category, name="name")
    return errors


def _check_sibling_free(*, name: str, parent_id: int | None, exclude: int | None = None) -> None:
    siblings = Category.objects.filter(parent_id=parent_id, name__iexact=name)
    if exclude is not None:
        siblings = siblings.exclude(pk=exclude)
    if siblings.exists():
        raise _duplicate("name", f"There is already a category “{name}” here.")


@transaction.atomic
def category_create(*, name: str, parent_id: int | None = None) -> Category:
    errors = FieldErrorCollector()
    name = _check_category_name(name, errors)
    parent = _ref(Category, parent_id, field="parent", errors=errors, label="category")
    if parent is not None:
        # The same lock as a move (category_update), so that a move cannot deepen the branch
        # between this check and the insert.
        parents = dict(lock_rows(Category.objects.values_list("pk", "parent_id")))
        if _level_of(parent.pk, parents) >= MAX_CATEGORY_DEPTH:
            _too_deep("parent", errors)
    errors.raise_if_any()
    _check_sibling_free(name=name, parent_id=parent_id)
    return _saved(
        lambda: Category.objects.create(name=name, parent=parent),
        field="name",
        message=f"There is already a category “{name}” here.",
    )


class CategoryChanges(TypedDict, total=False):
    name: str
    parent_id: int | None


@transaction.atomic
def category_update(*, category_id: int, changes: CategoryChanges) -> Category:
    # Moves are serialised by locking every category (a small table, and moves are rare): two
    # moves at once could otherwise each pass the cycle check and together make a loop.
    parents = dict(lock_rows(Category.objects.values_list("pk", "parent_id")))
    if category_id not in parents:
        raise NotFound("No such category.")
    category = Category.objects.get(pk=category_id)
    errors = FieldErrorCollector()
    if "name" in changes:
        category.name = _check_category_name(changes["name"], errors)
    if "parent_id" in changes:
        parent_id = changes["parent_id"]
        if parent_id is not None and parent_id not in parents:
            errors.add("parent", "does_not_exist", f"No category with id {parent_id}.")
        else:
            ancestor = parent_id
            while ancestor is not None:
                if ancestor == category_id:
                    errors.add(
                        "parent",
                        "category_cycle",
                        "A category cannot be placed under itself or one of its subcategories.",
                    )
                    break
                ancestor = parents.get(ancestor)
            else:
                if _level_of(parent_id, parents) + _height_below(category_id, parents) > (
                    MAX_CATEGORY_DEPTH
                ):
                    _too_deep("parent", errors)
            category.parent_id = parent_id
    errors.raise_if_any()
    _check_sibling_free(name=category.name, parent_id=category.parent_id, exclude=category.pk)
    _saved(
        category.save, field="name", message=f"There is already a category “{category.name}” here."
    )
    _products_changed(Product.objects.filter(category_id=category.pk))
    return category


@transaction.atomic
def category_delete(*, category_id: int) -> None:
    category = row_found(Category, pk=category_id, missing="No such category.")
    if category.children.exists() or category.products.exists():
        raise _in_use(f"Category “{category.name}” has subcategories or products and")
    category.delete()


def category_ensure_path(*, path: str) -> Category:
    """The category at ``Drinks/Soda``, creating any missing level."""
    category_path_problems(path).raise_if_any()
    parent: Category | None = None
    for name in (part.strip() for part in path.split(PATH_SEPARATOR)):
        existing = Category.objects.filter(parent=parent, name__iexact=name).first()
        parent = existing or category_create(name=name, parent_id=parent.pk if parent else None)
    if parent is None:
        raise ValidationFailed.for_field("category", "blank", "A category path cannot be empty.")
    return parent


# --- Brands, units, tax rates, price lists -------------------------------------------------------


@transaction.atomic
def brand_create(*, name: str) -> Brand:
    errors = FieldErrorCollector()
    name = _fits(
        _not_blank(name, "name", errors), field="name", errors=errors, model=Brand, name="name"
    )
    errors.raise_if_any()
    return _save_unique(Brand(name=name), field="name", label="brand")


@transaction.atomic
def brand_update(*, brand_id: int, name: str) -> Brand:
    brand = row_found(Brand, pk=brand_id, missing="No such brand.")
    errors = FieldErrorCollector()
    brand.name = _fits(
        _not_blank(name, "name", errors), field="name", errors=errors, model=Brand, name="name"
    )
    errors.raise_if_any()
    _save_unique(brand, field="name", label="brand")
    _products_changed(Product.objects.filter(brand_id=brand.pk))
    return brand


@transaction.atomic
def brand_delete(*, brand_id: int) -> None:
    brand = row_found(Brand, pk=brand_id, missing="No such brand.")
    _delete_unless_used(brand, users=brand.products.all(), what=f"Brand “{brand.name}”")


@transaction.atomic
def unit_create(*, code: str, name: str, is_fractional: bool = False) -> Unit:
    errors = FieldErrorCollector()
    code = _not_blank(code, "code", errors)
    name = _not_blank(name, "name", errors)
    errors.raise_if_any()
    return _save_unique(
        Unit(code=code, name=name, is_fractional=is_fractional), field="code", label="unit"
    )


class UnitChanges(TypedDict, total=False):
    code: str
    name: str
    is_fractional: bool


@transaction.atomic
def unit_update(*, unit_id: int, changes: UnitChanges) -> Unit:
    unit = row_found(Unit, pk=unit_id, missing="No such unit.")
    errors = FieldErrorCollector()
    if "code" in changes:
        unit.code = _not_blank(changes["code"], "code", errors)
    if "name" in changes:
        unit.name = _not_blank(changes["name"], "name", errors)
    if "is_fractional" in changes:
        if not changes["is_fractional"] and unit.products.filter(sold_by_weight=True).exists():
            errors.add(
                "is_fractional",
                "in_use",
                "Products sold by weight use this unit; it must stay fractional.",
            )
        unit.is_fractional = changes["is_fractional"]
    errors.raise_if_any()
    _save_unique(unit, field="code", label="unit")
    _products_changed(Product.objects.filter(unit_id=unit.pk))
    return unit


@transaction.atomic
def unit_delete(*, unit_id: int) -> None:
    unit = row_found(Unit, pk=unit_id, missing="No such unit.")
    _delete_unless_used(unit, users=unit.products.all(), what=f"Unit “{unit.code}”")


def _check_rate(rate: Decimal, errors: FieldErrorCollector) -> Decimal:
    rate = Decimal(rate)
    if not Decimal(0) <= rate <= Decimal(100):
        errors.add("rate", "out_of_range", "A tax rate is a percentage from 0 to 100.")
    return rate


def _make_sole_default(tax_rate: TaxRate) -> None:
    # The partial unique index allows one default: clear the old one before setting the new.
    # (A name clash found later, when the tax rate is saved, rolls this back with the rest.)
    previous = TaxRate.objects.filter(is_default=True).exclude(pk=tax_rate.pk)
    _products_changed(Product.objects.filter(tax_rate__in=previous))
    previous.update(is_default=False)


@transaction.atomic
def tax_rate_create(*, name: str, rate: Decimal, is_default: bool = False) -> TaxRate:
    errors = FieldErrorCollector()
    name = _not_blank(name, "name", errors)
    rate = _check_rate(rate, errors)
    errors.raise_if_any()
    tax_rate = TaxRate(name=name, rate=rate, is_default=is_default)
    if is_default:
        _make_sole_default(tax_rate)
    return _save_unique(tax_rate, field="name", label="tax rate")


class TaxRateChanges(TypedDict, total=False):
    name: str
    rate: Decimal
    is_default: bool


@transaction.atomic
def tax_rate_update(*, tax_rate_id: int, changes: TaxRateChanges) -> TaxRate:
    tax_rate = row_found(TaxRate, pk=tax_rate_id, missing="No such tax rate.")
    errors = FieldErrorCollector()
    if "name" in changes:
        tax_rate.name = _not_blank(changes["name"], "name", errors)
    if "rate" in changes:
        tax_rate.rate = _check_rate(changes["rate"], errors)
    if changes.get("is_default") is False and tax_rate.is_default:
        errors.add(
            "is_default",
            "default_required",
            "Make another tax rate the default instead; there is always one default.",
        )
    errors.raise_if_any()
    if changes.get("is_default"):
        _make_sole_default(tax_rate)
        tax_rate.is_default = True
    _save_unique(tax_rate, field="name", label="tax rate")
    _products_changed(Product.objects.filter(tax_rate_id=tax_rate.pk))
    return tax_rate


@transaction.atomic
def tax_rate_delete(*, tax_rate_id: int) -> None:
    tax_rate = row_found(TaxRate, pk=tax_rate_id, missing="No such tax rate.")
    if tax_rate.is_default:
        raise Conflict("The default tax rate cannot be deleted.", code="default_tax_rate")
    _delete_unless_used(tax_rate, users=tax_rate.products.all(), what=f"Tax rate “{tax_rate.name}”")


@transaction.atomic
def price_list_create(*, code: str, name: str) -> PriceList:
    errors = FieldErrorCollector()
    code = _not_blank(code, "code", errors).lower()
    name = _not_blank(name, "name", errors)
    errors.raise_if_any()
    if PriceList.objects.filter(code=code).exists():
        raise _duplicate("code", f"There is already a price list “{code}”.")
    return _saved(
        lambda: PriceList.objects.create(code=code, name=name),
        field="code",
        message=f"Price list “{code}” exists.",
    )


@transaction.atomic
def price_list_update(*, price_list_id: int, name: str) -> PriceList:
    price_list = row_found(PriceList, pk=price_list_id, missing="No such price list.")
    errors = FieldErrorCollector()
    price_list.name = _not_blank(name, "name", errors)
    errors.raise_if_any()
    price_list.save(update_fields=["name"])
    _products_changed(Product.objects.filter(list_prices__price_list_id=price_list.pk))
    return price_list


@transaction.atomic
def price_list_delete(*, price_list_id: int) -> None:
    price_list = row_found(PriceList, pk=price_list_id, missing="No such price list.")
    _delete_unless_used(
        price_list, users=price_list.prices.all(), what=f"Price list “{price_list.name}”"
    )


@transaction.atomic
def product_price_set(
    *, product_id: int, price_list_id: int, price: Decimal, min_quantity: Decimal = Decimal(1)
) -> ProductPrice:
    """Sets the product's price on a list from ``min_quantity`` up (creates or replaces)."""
    product = row_found(Product, pk=product_id, missing="No such product.")
    errors = FieldErrorCollector()
    price_list = _ref(
        PriceList, price_list_id, field="price_list", errors=errors, label="price list"
    )
    amount = _amount(price, "price", errors)
    if Decimal(min_quantity) <= 0:
        errors.add("min_quantity", "not_positive", "The minimum quantity must be above zero.")
    errors.raise_if_any()
    listed, _created = ProductPrice.objects.update_or_create(
        price_list=price_list,
        product=product,
        min_quantity=min_quantity,
        defaults={"price": Money(amount, business_currency())},
    )
    _products_changed(Product.objects.filter(pk=product.pk))
    return listed


@transaction.atomic
def product_price_delete(*, product_id: int, product_price_id: int) -> None:
    deleted, _ = ProductPrice.objects.filter(pk=product_price_id, product_id=product_id).delete()
    if not deleted:
        raise NotFound("No such price on this product.")
    _products_changed(Product.objects.filter(pk=product_id))


# --- Products -----------------------------------------------------------------------------------


class ProductFields(TypedDict, total=False):
    name: str
    sku: str
    description: str
    kind: str
    sold_by_weight: bool
    is_active: bool
    category_id: int | None
    brand_id: int | None
    unit_id: int
    tax_rate_id: int | None
    price: Decimal
    cost_price: Decimal
    variant_of_id: int | None
    variant_attributes: dict[str, Any]


def _apply(product: Product, fields: ProductFields, errors: FieldErrorCollector) -> None:
    currency = business_currency()
    if "name" in fields:
        product.name = _fits(
            _not_blank(fields["name"], "name", errors),
            field="name",
            errors=errors,
            model=Product,
            name="name",
        )
    if "sku" in fields:
        product.sku = _fits(
            _not_blank(fields["sku"], "sku", errors),
            field="sku",
            errors=errors,
            model=Product,
            name="sku",
        )
    if "description" in fields:
        product.description = fields["description"]
    if "kind" in fields:
        if fields["kind"] not in ProductKind.values:
            errors.add("kind", "invalid_choice", f"Kind is one of {', '.join(ProductKind.values)}.")
        product.kind = fields["kind"]
    if "sold_by_weight" in fields:
        product.sold_by_weight = fields["sold_by_weight"]
    if "is_active" in fields:
        product.is_active = fields["is_active"]
    if "category_id" in fields:
        product.category = _ref(
            Category, fields["category_id"], field="category", errors=errors, label="category"
        )
    if "brand_id" in fields:
        product.brand = _ref(Brand, fields["brand_id"], field="brand", errors=errors, label="brand")
    if "unit_id" in fields:
        unit = _ref(Unit, fields["unit_id"], field="unit", errors=errors, label="unit")
        if unit is not None:
            product.unit = unit
    if "tax_rate_id" in fields:
        product.tax_rate = _ref(
            TaxRate, fields["tax_rate_id"], field="tax_rate", errors=errors, label="tax rate"
        )
    if "price" in fields:
        product.price = Money(_amount(fields["price"], "price", errors), currency)
    if "cost_price" in fields:
        product.cost_price = Money(_amount(fields["cost_price"], "cost_price", errors), currency)
    if "variant_of_id" in fields:
        product.variant_of = _ref(
            Product, fields["variant_of_id"], field="variant_of", errors=errors, label="product"
        )
    if "variant_attributes" in fields:
        attributes = fields["variant_attributes"]
        problems = variant_attributes_problems(attributes)
        for code, message in problems:
            errors.add("variant_attributes", code, message)
        if not problems:
            product.variant_attributes = attributes


# A variant's attributes are a few short pairs ("size": "500 ml"), shown on tills and labels.
MAX_VARIANT_ATTRIBUTES = 20
MAX_VARIANT_ATTRIBUTE_NAME = 50
MAX_VARIANT_ATTRIBUTE_VALUE = 200


def variant_attributes_problems(attributes: Any) -> list[tuple[str, str]]:
    """What is wrong with a variant's attributes (``code, message`` pairs), for the API and
    the CSV import alike."""
    if not isinstance(attributes, dict) or not all(
        isinstance(key, str) and isinstance(value, str | int | float | bool)
        for key, value in attributes.items()
    ):
        message = (
            'Variant attributes are a flat object of names and values, e.g. {"size": "500 ml"}.'
        )
        return [("invalid", message)]
    problems = []
    if len(attributes) > MAX_VARIANT_ATTRIBUTES:
        problems.append(("too_many", f"At most {MAX_VARIANT_ATTRIBUTES} attributes."))
    if any(len(key) > MAX_VARIANT_ATTRIBUTE_NAME or not key.strip() for key in attributes):
        problems.append(
            ("invalid_name", f"Attribute names are 1 to {MAX_VARIANT_ATTRIBUTE_NAME} characters.")
        )
    if any(len(str(value)) > MAX_VARIANT_ATTRIBUTE_VALUE for value in attributes.values()):
        problems.append(
            ("too_long", f"Attribute values are at most {MAX_VARIANT_ATTRIBUTE_VALUE} characters.")
        )
    if any(isinstance(v, float) and not math.isfinite(v) for v in attributes.values()):
        problems.append(("invalid", "Attribute values cannot be NaN or infinite."))
    return problems


def _check_product(product: Product, errors: FieldErrorCollector) -> None:
    if product.unit_id is None and "unit" not in errors:
        errors.add("unit", "required", "A product needs a unit of measure.")
    if product.sold_by_weight and product.unit_id is not None and not product.unit.is_fractional:
        errors.add(
            "sold_by_weight",
            "unit_not_fractional",
            f"Goods sold by weight need a fractional unit such as kg, not “{product.unit.code}”.",
        )
    parent = product.variant_of
    if parent is not None:
        if product.pk is not None and parent.pk == product.pk:
            errors.add("variant_of", "variant_of_self", "A product cannot be its own variant.")
        elif parent.variant_of_id is not None:
            errors.add(
                "variant_of",
                "variant_of_variant",
                f"{parent.sku} is itself a variant; choose its parent {parent.variant_of_id}.",
            )
        if product.pk is not None and product.variants.exists():
            errors.add(
                "variant_of",
                "has_variants",
                "This product has variants of its own, so it cannot become a variant.",
            )
    # A taken SKU is a conflict with existing data, reported once the input is otherwise fine.
    taken = Product.objects.filter(sku=product.sku).exclude(pk=product.pk)
    if product.sku and not errors and taken.exists():
        raise _duplicate("sku", f"SKU {product.sku} is already used by another product.")


def _save_product(product: Product, fields: ProductFields, errors: FieldErrorCollector) -> Product:
    _apply(product, fields, errors)
    _check_product(product, errors)
    errors.raise_if_any()
    _saved(product.save, field="sku", message=f"SKU {product.sku} is already used.")
    return product


@transaction.atomic
def product_create(*, fields: ProductFields) -> Product:
    """Creates a product. Without ``tax_rate_id`` it gets the default tax rate."""
    product = Product(price=Money(0, business_currency()), cost_price=Money(0, business_currency()))
    errors = FieldErrorCollector()
    for required in ("name", "sku", "unit_id"):
        if required not in fields:
            errors.add(required.removesuffix("_id"), "required", "This field is required.")
    if "tax_rate_id" not in fields:
        product.tax_rate = tax_rate_default()
    return _save_product(product, fields, errors)


@transaction.atomic
def product_update(*, product_id: int, fields: ProductFields) -> Product:
    product = lock_found(Product, pk=product_id, missing="No such product.")
    errors = FieldErrorCollector()
    return _save_product(product, fields, errors)


@transaction.atomic
def product_set_active(*, product_id: int, active: bool) -> Product:
    """Products are deactivated, never deleted: sales, stock and purchases point at them."""
    product = row_found(Product, pk=product_id, missing="No such product.")
    product.is_active = active
    product.save(update_fields=["is_active", "updated_at"])
    # A parent's variants follow it; reactivating the parent brings them all back.
    # updated_at too: the till's delta sync (updated_since) finds what changed by it.
    product.variants.update(is_active=active, updated_at=timezone.now())
    return product


@transaction.atomic
def product_image_set(*, product_id: int, image: UploadedFile) -> Product:
    product = lock_found(Product, pk=product_id, missing="No such product.")
    old_name = product.image.name if product.image else ""
    extension = (
        (image.name or "").rsplit(".", 1)[-1].lower() if "." in (image.name or "") else "img"
    )
    product.image.save(f"{product.sku}.{extension}", image, save=False)
    product.save(update_fields=["image", "updated_at"])
    if old_name and old_name != product.image.name:
        storage = product.image.storage
        transaction.on_commit(lambda: storage.delete(old_name))
    return product


# --- Barcodes -----------------------------------------------------------------------------------


@transaction.atomic
def barcode_add(*, product_id: int, code: str, pack_quantity: Decimal = Decimal(1)) -> Barcode:
    product = row_found(Product, pk=product_id, missing="No such product.")
    errors = FieldErrorCollector()
    try:
        code, symbology = classify(code)
    except ValidationFailed as invalid:
        errors.extend(invalid.fields)
        symbology = None
    problem = decimal_problem(Decimal(pack_quantity), Barcode, "pack_quantity")
    if problem is not None:
        errors.add("pack_quantity", *problem)
    elif Decimal(pack_quantity) <= 0:
        errors.add("pack_quantity", "not_positive", "A pack holds at least some quantity.")
    if product.variants.exists():
        errors.add(
            "product",
            "parent_not_sellable",
            "This product is sold through its variants; put the barcode on a variant.",
        )
    errors.raise_if_any()
    if symbology is None:  # unreachable: classify() either answers or raised above
        raise ValidationFailed.for_field("code", "invalid_barcode", "Not a barcode.")
    owner = Barcode.objects.filter(code=code).select_related("product").first()
    if owner is not None:
        raise _duplicate("code", f"Barcode {code} already belongs to {owner.product.name}.")
    barcode = _saved(
        lambda: Barcode.objects.create(
            product=product, code=code, symbology=symbology, pack_quantity=pack_quantity
        ),
        field="code",
        message=f"Barcode {code} is already used.",
    )
    _products_changed(Product.objects.filter(pk=product.pk))
    return barcode


@transaction.atomic
def barcode_remove(*, product_id: int, barcode_id: int) -> None:
    deleted, _ = Barcode.objects.filter(pk=barcode_id, product_id=product_id).delete()
    if not deleted:
        raise NotFound("No such barcode on this product.")
    _products_changed(Product.objects.filter(pk=product_id))
