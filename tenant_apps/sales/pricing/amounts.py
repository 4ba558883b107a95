"""How a cart becomes amounts: discounts, tax and rounding, as pure arithmetic.

The rounding policy (docs/sales.md) in one place:

1. Each line's price is ``unit price x quantity``, rounded half-up to the currency's minor
   unit.
2. Line discounts come off that line. A cart discount (manual or coupon) is shared among the
   lines in proportion to what is left of each, by the largest-remainder method, so the
   shares add up to the cart discount exactly.
3. Tax is worked out per line on what is left, and rounded per line: inclusive prices carry
   ``amount * rate / (100 + rate)`` of tax, exclusive prices get ``amount * rate / 100`` added.
4. Every total is the sum of rounded line amounts, so the receipt, the ledger and the reports
   add up to the same minor unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class LineInput:
    unit_price: Decimal
    quantity: Decimal
    tax_rate: Decimal  # percent
    discount: Decimal = ZERO  # a line discount, in price terms (inclusive if prices are)
    cart_discountable: bool = True  # whether a cart-wide discount (coupon) applies to it


@dataclass(frozen=True)
class LineAmounts:
    price: Decimal  # unit price x quantity, rounded
    discount: Decimal  # line discount plus cart share, in price terms
    list_net: Decimal
    discount_net: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal


@dataclass(frozen=True)
class CartAmounts:
    lines: list[LineAmounts]
    subtotal: Decimal  # Σ list_net
    discount_total: Decimal  # Σ discount_net
    tax_total: Decimal
    total: Decimal  # Σ gross


class PricingError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _round(amount: Decimal, places: int) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def share(total: Decimal, weights: Sequence[Decimal], places: int) -> list[Decimal]:
    """Splits ``total`` over ``weights`` proportionally; the parts add up to ``total`` exactly.

    Each part is first rounded down to the minor unit; the minor units left over go to the
    parts that lost the most to rounding (ties to the earlier part).
    """
    unit = Decimal(1).scaleb(-places)
    weight_sum = sum(weights, ZERO)
    if total == 0 or weight_sum == 0:
        return [ZERO for _ in weights]
    exact = [total * w / weight_sum for w in weights]
    parts = [e.quantize(unit, rounding=ROUND_DOWN) for e in exact]
    left = int((total - sum(parts, ZERO)) / unit)
    by_remainder = sorted(range(len(parts)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in by_remainder[:left]:
        parts[i] += unit
    return parts


def price_cart(
    lines: Sequence[LineInput],
    *,
    cart_discount: Decimal = ZERO,
    cart_discount_percent: Decimal = ZERO,
    prices_include_tax: bool,
    places: int,
) -> CartAmounts:
    prices = [_round(line.unit_price * line.quantity, places) for line in lines]
    after_line: list[Decimal] = []
    for index, (line, price) in enumerate(zip(lines, prices, strict=True)):
        discount = _round(line.discount, places)
        if discount < 0:
            raise PricingError(f"lines[{index}].discount", "A discount cannot be negative.")
        if discount > price:
            raise PricingError(
                f"lines[{index}].discount", "A line discount cannot exceed the line's price."
            )
        after_line.append(price - discount)
    weights = [
        a if line.cart_discountable else ZERO for a, line in zip(after_line, lines, strict=True)
    ]
    base = sum(weights, ZERO)
    cart_off = _round(cart_discount, places) + _round(
        base * cart_discount_percent / HUNDRED, places
    )
    if cart_off < 0:
        raise PricingError("cart_discount", "A discount cannot be negative.")
    if cart_off > base:
        raise PricingError("cart_discount", "The discount is more than the cart is worth.")
    shares = share(cart_off, weights, places)
    out: list[LineAmounts] = []
    for line, price, after, cart_share in zip(lines, prices, after_line, shares, strict=True):
        charged = after - cart_share
        discount = price - charged
        rate = line.tax_rate
        if prices_include_tax:
            tax = _round(charged * rate / (HUNDRED + rate), places)
            net = charged - tax
            discount_net = _round(discount * HUNDRED / (HUNDRED + rate), places)
            gross = charged
        else:
            net = charged
            tax = _round(net * rate / HUNDRED, places)
            discount_net = discount
            gross = net + tax
        out.append(
            LineAmounts(
                price=price,
                discount=discount,
                list_net=net + discount_net,
                discount_net=discount_net,
                net=net,
                tax=tax,
                gross=gross,
            )
        )
    return CartAmounts(
        lines=out,
        subtotal=sum((a.list_net for a in out), ZERO),
        discount_total=sum((a.discount_net for a in out), ZERO),
        tax_total=sum((a.tax for a in out), ZERO),
        total=sum((a.gross for a in out), ZERO),
    )
