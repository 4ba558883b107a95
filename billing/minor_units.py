"""Amounts as integers in a currency's minor unit (cents, kobo, paise), as invoices store
them and gateways charge them."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from moneyed import Money

from saas_platform.money import minor_unit_exponent


def to_minor(amount: Money) -> int:
    """``amount`` in minor units, rounded half up to the minor unit."""
    exponent = minor_unit_exponent(str(amount.currency))
    scaled = amount.amount.scaleb(exponent).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(scaled)


def from_minor(units: int, currency: str) -> Money:
    return Money(Decimal(units).scaleb(-minor_unit_exponent(currency)), currency)


def share_minor(units: int, rate: Decimal) -> int:
    """``rate`` of ``units``, rounded half up (tax on a subtotal)."""
    return int((Decimal(units) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))
