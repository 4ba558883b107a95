"""Prices a cart exactly as the checkout charges it: the one pricing path of checkout and quote.

Everything here only reads (products, price lists, the customer, the coupon) and refuses what
the caller may not do, so a quote (``POST quote/``) runs it and leaves no trace, and the
checkout runs it before it writes anything. The arithmetic itself is ``amounts.price_cart``.

What a role may do here: the retail price and the customer's own price list apply by
themselves; a price by hand, a discount by hand or a price list the client names (other than
the customer's own) is a price override (``sales.override_price``) and its lines are marked
``price_overridden``, as a price typed by hand is.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef
from django.utils import timezone
from moneyed import Money

from saas_platform.errors import Conflict, FieldErrorCollector, Forbidden, ValidationFailed
from saas_platform.money import DECIMAL_PLACES, MAX_DIGITS, minor_unit_exponent
from saas_platform.tenancy import current_business
from tenant_apps.catalog.models import PriceList, Product, ProductPrice
from tenant_apps.customers.models import Customer
from tenant_apps.sales.models import Coupon
from tenant_apps.sales.pricing.amounts import CartAmounts, LineInput, PricingError, price_cart
from tenant_apps.sales.requests import CartRequest, LineRequest

ZERO = Decimal(0)
# The first amount a money column (18 digits, 4 of them decimals) cannot hold. A line or a sale
# worth this much is refused before anything is written, rather than failing in PostgreSQL.
AMOUNT_LIMIT = Decimal(10) ** (MAX_DIGITS - DECIMAL_PLACES)


@dataclass(frozen=True)
class PricedLine:
    product: Product
    quantity: Decimal
    unit_price: Money  # as charged, before discounts
    price_overridden: bool
    tax_rate: Decimal
    discount: Money  # the line's discount plus its share of the cart's
    list_net: Money
    discount_net: Money
    net: Money
    tax: Money
    gross: Money


@dataclass(frozen=True)
class PricedCart:
    currency: str
    prices_include_tax: bool
    customer: Customer | None
    price_list: PriceList | None
    coupon: Coupon | None
    lines: list[PricedLine]
    subtotal: Money
    discount_total: Money
    tax_total: Money
    total: Money


def cart_price(*, cart: CartRequest, may_override_price: bool) -> PricedCart:
    """The cart priced line by line, as the checkout will charge it; raises what it refuses."""
    if not cart.lines:
        raise ValidationFailed.for_field("lines", "empty", "A sale needs at least one line.")
    business = current_business()
    currency = business.currency
    places = minor_unit_exponent(currency)
    include_tax = business.prices_include_tax
    customer = _customer(cart.customer_id)
    price_list, named = _price_list(cart.price_list, customer, may_override_price)
    products = _products(cart.lines)
    unit_prices, overridden = _unit_prices(
        cart.lines, products, price_list, may_override_price, named=named
    )
    _check_line_sizes(cart.lines, products, unit_prices)
    coupon = _coupon(cart.coupon, currency) if cart.coupon else None
    if (cart.cart_discount or cart.cart_discount_percent) and not may_override_price:
        raise Forbidden.for_field(
            "cart_discount", "not_allowed", "Your role may not give discounts by hand."
        )
    if any(line.discount for line in cart.lines) and not may_override_price:
        raise Forbidden.for_field(
            "lines", "not_allowed", "Your role may not give line discounts by hand."
        )

    inputs = [
        LineInput(
            unit_price=unit_prices[i],
            quantity=line.quantity,
            tax_rate=_tax_rate(products[line.product_id]),
            discount=line.discount,
            cart_discountable=coupon is None or _coupon_applies(coupon, products[line.product_id]),
        )
        for i, line in enumerate(cart.lines)
    ]
    percent = cart.cart_discount_percent
    fixed = cart.cart_discount
    try:
        if coupon is not None:
            undiscounted = price_cart(inputs, prices_include_tax=include_tax, places=places)
            _check_min_spend(coupon, undiscounted.total, currency)
            if coupon.kind == "percent":
                percent += coupon.value
            else:
                fixed += coupon.value
        amounts = price_cart(
            inputs,
            cart_discount=fixed,
            cart_discount_percent=percent,
            prices_include_tax=include_tax,
            places=places,
        )
    except PricingError as error:
        raise ValidationFailed.for_field(error.field, "invalid_discount", str(error)) from error
    _check_totals(amounts)

    def money(amount: Decimal) -> Money:
        return Money(amount, currency)

    return PricedCart(
        currency=currency,
        prices_include_tax=include_tax,
        customer=customer,
        price_list=price_list,
        coupon=coupon,
        lines=[
            PricedLine(
                product=products[line.product_id],
                quantity=line.quantity,
                unit_price=money(unit_prices[i]),
                price_overridden=i in overridden,
                tax_rate=inputs[i].tax_rate,
                discount=money(a.discount),
                list_net=money(a.list_net),
                discount_net=money(a.discount_net),
                net=money(a.net),
                tax=money(a.tax),
                gross=money(a.gross),
            )
            for i, (line, a) in enumerate(zip(cart.lines, amounts.lines, strict=True))
        ],
        subtotal=money(amounts.subtotal),
        discount_total=money(amounts.discount_total),
        tax_total=money(amounts.tax_total),
        total=money(amounts.total),
    )


# --- who and which prices ----------------------------------------------------------------------


def _customer(customer_id: int | None) -> Customer | None:
    if customer_id is None:
        return None
    customer = Customer.objects.filter(pk=customer_id, is_active=True).first()
    if customer is None:
        raise ValidationFailed.for_field(
            "customer", "unknown_customer", f"No active customer {customer_id}."
        )
    return customer


def _price_list(
    code: str, customer: Customer | None, may_override: bool
) -> tuple[PriceList | None, bool]:
    """The price list that applies, and whether the client named it over the default.

    The customer's own list applies by itself. Naming any other list (wholesale for a walk-in
    customer) prices goods below retail, which is a manager's call like a price by hand.
    """
    own_id = customer.price_list_id if customer is not None else None
    if not code:
        if own_id is None:
            return None, False
        return PriceList.objects.filter(pk=own_id).first(), False
    found = PriceList.objects.filter(code=code).first()
    if found is None:
        raise ValidationFailed.for_field("price_list", "unknown", f"No price list {code}.")
    if found.pk == own_id:
        return found, False
    if not may_override:
        raise Forbidden.for_field(
            "price_list",
            "not_allowed",
            "Your role may not choose a price list; a customer's own list applies by itself. "
            "Ask a manager.",
        )
    return found, True


def _products(lines: list[LineRequest]) -> dict[int, Product]:
    ids = {line.product_id for line in lines}
    found: dict[int, Product] = {
        p.pk: p
        for p in Product.objects.select_related("tax_rate", "unit")
        .filter(pk__in=ids)
        .annotate(has_variants=Exists(Product.objects.filter(variant_of=OuterRef("pk"))))
    }
    errors = FieldErrorCollector()
    parents = {pk for pk, product in found.items() if getattr(product, "has_variants", False)}
    for index, line in enumerate(lines):
        product = found.get(line.product_id)
        at = f"lines[{index}]"
        if product is None or not product.is_active:
            errors.add(f"{at}.product", "unknown_product", f"No product {line.product_id}.")
        elif product.pk in parents:
            errors.add(f"{at}.product", "has_variants", f"Choose a variant of {product.name}.")
        if line.quantity <= 0:
            errors.add(f"{at}.quantity", "not_positive", "Sell more than zero.")
        elif (
            product is not None
            and not product.unit.is_fractional
            and (line.quantity != line.quantity.to_integral_value())
        ):
            errors.add(f"{at}.quantity", "not_whole", f"{product.name} is sold whole.")
    errors.raise_if_any()
    return found


def _tax_rate(product: Product) -> Decimal:
    return product.tax_rate.rate if product.tax_rate is not None else ZERO


def _unit_prices(
    lines: list[LineRequest],
    products: dict[int, Product],
    price_list: PriceList | None,
    may_override: bool,
    *,
    named: bool,
) -> tuple[list[Decimal], set[int]]:
    """Each line's unit price and the lines whose price is an override: typed by hand, or
    taken from a price list the client named."""
    list_prices: dict[int, list[ProductPrice]] = defaultdict(list)
    if price_list is not None:
        for row in ProductPrice.objects.filter(
            price_list=price_list, product_id__in=products
        ).order_by("-min_quantity"):
            list_prices[row.product_id].append(row)
    prices: list[Decimal] = []
    overridden: set[int] = set()
    for index, line in enumerate(lines):
        product = products[line.product_id]
        price = product.price.amount
        for row in list_prices.get(product.pk, []):
            if line.quantity >= row.min_quantity:
                price = row.price.amount
                if named:
                    overridden.add(index)
                break
        if line.unit_price is not None and line.unit_price != price:
            if not may_override:
                raise Forbidden.for_field(
                    f"lines[{index}].unit_price",
                    "not_allowed",
                    "Your role may not change prices; ask a manager.",
                )
            if line.unit_price < 0:
                raise ValidationFailed.for_field(
                    f"lines[{index}].unit_price", "negative", "A price cannot be negative."
                )
            price = line.unit_price
            overridden.add(index)
        prices.append(price)
    return prices, overridden


# --- amounts that fit their columns -----------------------------------------------------------


def _check_line_sizes(
    lines: list[LineRequest], products: dict[int, Product], unit_prices: list[Decimal]
) -> None:
    """Refuses a line whose price (or standard cost) times quantity no column can hold.

    Checked before the arithmetic too: it keeps every later product within Decimal's precision.
    """
    errors = FieldErrorCollector()
    for index, (line, price) in enumerate(zip(lines, unit_prices, strict=True)):
        product = products[line.product_id]
        if line.quantity * max(price, product.cost_price.amount) >= AMOUNT_LIMIT:
            errors.add(
                f"lines[{index}].quantity",
                "too_large",
                f"{line.quantity.normalize():f} of {product.name} come to more than one line "
                f"can hold (under {AMOUNT_LIMIT:,}).",
            )
    errors.raise_if_any()


def _check_totals(amounts: CartAmounts) -> None:
    errors = FieldErrorCollector()
    for index, line in enumerate(amounts.lines):
        # Tax added on top can take an exclusive line over what its price alone fitted in.
        if max(line.gross, line.list_net) >= AMOUNT_LIMIT:
            errors.add(
                f"lines[{index}].quantity",
                "too_large",
                f"This line comes to more than one line can hold (under {AMOUNT_LIMIT:,}).",
            )
    errors.raise_if_any()
    if max(amounts.total, amounts.subtotal) >= AMOUNT_LIMIT:
        raise ValidationFailed.for_field(
            "lines",
            "too_large",
            f"The sale comes to more than a sale can hold (under {AMOUNT_LIMIT:,}); split it.",
        )


# --- coupons -----------------------------------------------------------------------------------


def _coupon(code: str, currency: str) -> Coupon:
    coupon = Coupon.objects.filter(code__iexact=code.strip()).first()
    now = timezone.now()
    if coupon is None or not coupon.is_active:
        raise ValidationFailed.for_field("coupon", "unknown_coupon", f"No coupon {code}.")
    if coupon.valid_from and now < coupon.valid_from:
        raise ValidationFailed.for_field("coupon", "not_yet_valid", "This coupon is not valid yet.")
    if coupon.valid_until and now > coupon.valid_until:
        raise ValidationFailed.for_field("coupon", "expired", "This coupon has expired.")
    if coupon.max_uses is not None and coupon.uses >= coupon.max_uses:
        raise Conflict.for_field("coupon", "used_up", "This coupon has been used up.")
    return coupon


def _coupon_applies(coupon: Coupon, product: Product) -> bool:
    if coupon.product_id is not None:
        return product.pk == coupon.product_id or product.variant_of_id == coupon.product_id
    if coupon.category_id is not None:
        return product.category_id == coupon.category_id
    return True


def _check_min_spend(coupon: Coupon, total: Decimal, currency: str) -> None:
    if coupon.min_spend is not None and total < coupon.min_spend.amount:
        raise ValidationFailed.for_field(
            "coupon",
            "below_min_spend",
            f"This coupon needs a spend of at least {coupon.min_spend.amount} {currency}.",
        )
