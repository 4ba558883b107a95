"""The rounding policy as properties: shares add up exactly, and totals are sums of lines."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenant_apps.sales.pricing.amounts import LineInput, PricingError, price_cart, share

cents = st.integers(min_value=0, max_value=10_000_000).map(lambda n: Decimal(n) / 100)
weights = st.lists(cents, min_size=1, max_size=12)


@given(total=cents, parts=weights)
def test_shares_add_up_to_the_total_and_follow_the_weights(
    total: Decimal, parts: list[Decimal]
) -> None:
    shares = share(total, parts, 2)

    if sum(parts) == 0:
        assert shares == [Decimal(0)] * len(parts)
        return
    assert sum(shares) == total
    for weight, part in zip(parts, shares, strict=True):
        exact = total * weight / sum(parts)
        assert abs(part - exact) < Decimal("0.01")  # within one minor unit of its fair share


line = st.builds(
    LineInput,
    unit_price=st.integers(min_value=0, max_value=1_000_000).map(lambda n: Decimal(n) / 100),
    quantity=st.integers(min_value=1, max_value=50_000).map(lambda n: Decimal(n) / 1000),
    tax_rate=st.sampled_from([Decimal(0), Decimal(8), Decimal(16), Decimal("7.5")]),
)


@given(
    lines=st.lists(line, min_size=1, max_size=8), inclusive=st.booleans(), off=st.integers(0, 100)
)
def test_every_total_is_the_sum_of_its_rounded_lines(
    lines: list[LineInput], inclusive: bool, off: int
) -> None:
    cart = price_cart(
        lines, cart_discount_percent=Decimal(off), prices_include_tax=inclusive, places=2
    )

    assert cart.total == sum(a.gross for a in cart.lines)
    assert cart.tax_total == sum(a.tax for a in cart.lines)
    for amounts in cart.lines:
        assert amounts.net + amounts.tax == amounts.gross
        assert amounts.list_net - amounts.discount_net == amounts.net
        assert amounts.gross >= 0
        assert amounts.gross == amounts.gross.quantize(Decimal("0.01"))
    # What the books post balances to the minor unit: revenue - discounts + tax = paid.
    assert cart.subtotal - cart.discount_total + cart.tax_total == cart.total


def test_a_line_coupon_discounts_only_its_lines() -> None:
    cart = price_cart(
        [
            LineInput(Decimal(100), Decimal(1), Decimal(0), cart_discountable=True),
            LineInput(Decimal(300), Decimal(1), Decimal(0), cart_discountable=False),
        ],
        cart_discount_percent=Decimal(50),
        prices_include_tax=True,
        places=2,
    )

    assert [a.gross for a in cart.lines] == [Decimal("50.00"), Decimal("300.00")]


def test_discounts_beyond_the_price_are_refused() -> None:
    with pytest.raises(PricingError) as refused:
        price_cart(
            [LineInput(Decimal(10), Decimal(1), Decimal(0), discount=Decimal(11))],
            prices_include_tax=True,
            places=2,
        )
    assert refused.value.field == "lines[0].discount"
    with pytest.raises(PricingError):
        price_cart(
            [LineInput(Decimal(10), Decimal(1), Decimal(0))],
            cart_discount=Decimal("10.01"),
            prices_include_tax=False,
            places=2,
        )
