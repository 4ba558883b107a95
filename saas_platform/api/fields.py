"""Serializer fields shared by every API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from moneyed import Money
from rest_framework import serializers

from saas_platform import quantities
from saas_platform.limits import MAX_TEXT_LENGTH
from saas_platform.money import DECIMAL_PLACES, MAX_DIGITS, format_amount

# The longest e-mail address the database keeps (Django's EmailField column); DRF's own field
# accepts up to 320 characters, which the column refuses (a 500).
MAX_EMAIL_LENGTH = 254


@extend_schema_field(
    {
        "type": "object",
        "properties": {
            "amount": {"type": "string", "format": "decimal", "example": "120.50"},
            "currency": {"type": "string", "example": "KES"},
        },
    }
)
class MoneyField(serializers.Field):
    """Money out as ``{"amount": "120.50", "currency": "KES"}``: a string, never a float."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value: Money) -> dict[str, str] | None:
        if value is None:
            return None
        return {"amount": format_amount(value), "currency": str(value.currency)}


def quantity(**kwargs: Any) -> serializers.DecimalField:
    """A quantity of goods as every quantity column stores it (saas_platform/quantities.py: 14
    digits, 3 of them decimals, since weighed goods are sold by the gram)."""
    return serializers.DecimalField(
        max_digits=quantities.MAX_DIGITS, decimal_places=quantities.DECIMAL_PLACES, **kwargs
    )


# An amount that is added up with others into a column of the same size (a shift's float, cash
# in and out and counted cash; the tenders of a sale) stays two digits short of the column, so
# that the sum still fits: under a trillion.
SUMMED_LIMIT = Decimal(10) ** (MAX_DIGITS - DECIMAL_PLACES - 2) - Decimal(1).scaleb(-DECIMAL_PLACES)


def amount(*, summed: bool = False, **kwargs: Any) -> serializers.DecimalField:
    """An amount as the money columns store it (18 digits, 4 of them decimals); every amount
    of the API comes in through this field. DRF's field refuses NaN and Infinity, and anything
    with more digits than the column. ``summed``: at most SUMMED_LIMIT either way."""
    kwargs.setdefault("help_text", 'A decimal amount in the business\'s currency, e.g. "12.50".')
    if summed:
        kwargs.setdefault("max_value", SUMMED_LIMIT)
        kwargs.setdefault("min_value", -SUMMED_LIMIT)
    return serializers.DecimalField(max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, **kwargs)


def text(**kwargs: Any) -> serializers.CharField:
    """Free text written to a column without a length of its own (a TextField): at most
    MAX_TEXT_LENGTH characters. A CharField column's serializer field takes its max_length."""
    kwargs.setdefault("max_length", MAX_TEXT_LENGTH)
    return serializers.CharField(**kwargs)


def email(**kwargs: Any) -> serializers.EmailField:
    """An e-mail address that fits Django's EmailField column."""
    kwargs.setdefault("max_length", MAX_EMAIL_LENGTH)
    return serializers.EmailField(**kwargs)
