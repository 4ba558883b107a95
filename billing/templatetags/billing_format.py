"""Amounts on the billing page, spelled as the API and the invoice PDF spell them."""

from __future__ import annotations

from decimal import Decimal

from django import template
from moneyed import Money

from billing.minor_units import from_minor
from saas_platform.money import format_amount

register = template.Library()


@register.filter
def minor_money(units: int, currency: str) -> str:
    """An amount in minor units (an invoice's) as ``KES 2500.00``."""
    return f"{currency} {format_amount(from_minor(int(units), currency))}"


@register.filter
def money(value: Money | None) -> str:
    return "—" if value is None else f"{value.currency} {format_amount(value)}"


@register.filter
def units(value: Decimal | int | None) -> str:
    """A count without trailing zeros: ``1200``, ``2.5``."""
    if value is None:
        return "unlimited"
    return f"{Decimal(value).normalize():f}"
