"""How the console's billing pages spell amounts and rates: through ``format_amount``, as
every API answer and document does."""

from __future__ import annotations

from decimal import Decimal

from django import template
from moneyed import Money

from billing.minor_units import from_minor
from saas_platform.money import format_amount

register = template.Library()


@register.filter
def money(value: Money | None) -> str:
    """``Money(48, "USD")`` → ``48.00 USD``."""
    if value is None:
        return "—"
    return f"{format_amount(value)} {value.currency}"


@register.filter
def minor(units: int | None, currency: str) -> str:
    """Minor units of ``currency`` (an invoice's columns) → ``19.00 USD``."""
    if units is None:
        return "—"
    return money(from_minor(units, currency))


@register.filter
def percent(rate: Decimal | None) -> str:
    """A fraction → ``60.0 %``; none (nothing to divide by) → ``—``."""
    if rate is None:
        return "—"
    return f"{rate * 100:.1f} %"


@register.filter
def words(code: str | None) -> str:
    """A status code as words: ``past_due`` → ``past due``."""
    return (code or "").replace("_", " ")
