"""Money in the current business's currency, rounded once to that currency's minor unit."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import moneyed
from djmoney.models.fields import MoneyField
from moneyed import Money

from saas_platform.tenancy import business_currency

# Enough digits for any retail amount, and 4 decimals so that unit costs of bulk goods and
# currencies with 3 minor digits keep their precision until a line is rounded.
MAX_DIGITS = 18
DECIMAL_PLACES = 4


def money_field(**options: Any) -> MoneyField:
    if options.get("null"):
        # An empty amount has no currency either; djmoney needs to be told so.
        options.setdefault("default_currency", None)
    return MoneyField(max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, **options)


def minor_unit_exponent(currency: str) -> int:
    sub_unit = moneyed.get_currency(currency).sub_unit or 1
    return round(math.log10(sub_unit))


def round_money(amount: Money) -> Money:
    exponent = minor_unit_exponent(str(amount.currency))
    quantum = Decimal(1).scaleb(-exponent)
    return Money(amount.amount.quantize(quantum, rounding=ROUND_HALF_UP), amount.currency)


def money(amount: Decimal | int | str) -> Money:
    """An amount in the current business's currency (raises NoCurrentBusiness outside one)."""
    return Money(Decimal(amount), business_currency())


def format_amount(value: Money) -> str:
    """At least the currency's minor digits ("120.50"), more only when a cost has them.

    How every API answer, CSV export and printed statement spells an amount.
    """
    places = minor_unit_exponent(str(value.currency))
    amount = value.amount.normalize()
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and -exponent < places:
        amount = amount.quantize(Decimal(1).scaleb(-places))
    return f"{amount:f}"
