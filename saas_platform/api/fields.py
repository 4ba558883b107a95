"""Serializer fields shared by every API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from moneyed import Money
from rest_framework import serializers

from saas_platform.money import minor_unit_exponent


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


def format_amount(value: Money) -> str:
    """At least the currency's minor digits ("120.50"), more only when a cost has them."""
    places = minor_unit_exponent(str(value.currency))
    amount = value.amount.normalize()
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and -exponent < places:
        amount = amount.quantize(Decimal(1).scaleb(-places))
    return f"{amount:f}"


def quantity(**kwargs: Any) -> serializers.DecimalField:
    """A stock quantity: three decimals, since weighed goods are sold by the gram."""
    return serializers.DecimalField(max_digits=14, decimal_places=3, **kwargs)
