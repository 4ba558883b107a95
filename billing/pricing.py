"""What a charge costs for a number of units: a pure function of the charge's terms.

Free units are taken off first. Then:

- standard: every unit at ``unit_amount``;
- graduated: units fill the tiers in order, each tier priced at its own rate (plus its flat fee
  once it is reached);
- volume: the one tier the whole quantity falls in prices every unit (plus its flat fee);
- package: every started package of ``package_size`` units costs ``unit_amount``.

Each tier's amount is rounded to the currency's minor unit and the total is their sum, so the
breakdown an invoice shows always adds up to its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from moneyed import Money

from billing.models import Charge, ChargeModel
from billing.tiers import Tier, parse_tiers
from saas_platform.errors import ValidationFailed
from saas_platform.money import round_money


@dataclass(frozen=True)
class ChargeTerms:
    """A charge's pricing in one currency, detached from the database."""

    model: str
    currency: str
    free_units: Decimal = Decimal(0)
    unit_amount: Decimal | None = None
    package_size: int | None = None
    tiers: tuple[Tier, ...] = ()


@dataclass(frozen=True)
class TierLine:
    # 1-based position of the tier, 0 for the lines of standard and package charges.
    tier: int
    units: Decimal
    unit_amount: Decimal
    flat_amount: Decimal
    amount: Money


@dataclass(frozen=True)
class PricedCharge:
    amount: Money
    units: Decimal
    free_units: Decimal
    billable_units: Decimal
    lines: list[TierLine] = field(default_factory=list)


def _line(tier: int, units: Decimal, unit: Decimal, flat: Decimal, currency: str) -> TierLine:
    amount = round_money(Money(units * unit + flat, currency))
    return TierLine(tier=tier, units=units, unit_amount=unit, flat_amount=flat, amount=amount)


def _graduated(tiers: tuple[Tier, ...], units: Decimal, currency: str) -> list[TierLine]:
    lines = []
    below = Decimal(0)
    for number, tier in enumerate(tiers, start=1):
        if units <= below:
            break
        top = units if tier.up_to is None else min(units, tier.up_to)
        lines.append(_line(number, top - below, tier.unit_amount, tier.flat_amount, currency))
        if tier.up_to is None:
            break
        below = tier.up_to
    return lines


def _volume(tiers: tuple[Tier, ...], units: Decimal, currency: str) -> list[TierLine]:
    for number, tier in enumerate(tiers, start=1):
        if tier.up_to is None or units <= tier.up_to:
            return [_line(number, units, tier.unit_amount, tier.flat_amount, currency)]
    raise AssertionError("parse_tiers guarantees an open last tier")


def price_units(terms: ChargeTerms, units: Decimal) -> PricedCharge:
    """The amount of ``units`` under ``terms``, with the lines that make it up."""
    if units < 0:
        raise ValidationFailed.for_field("units", "negative", "Units cannot be negative.")
    billable = max(units - terms.free_units, Decimal(0))
    currency = terms.currency
    lines: list[TierLine] = []
    if billable > 0:
        if terms.model == ChargeModel.STANDARD:
            lines = [_line(0, billable, terms.unit_amount or Decimal(0), Decimal(0), currency)]
        elif terms.model == ChargeModel.PACKAGE:
            size = Decimal(terms.package_size or 1)
            packages = (billable / size).to_integral_value(rounding=ROUND_CEILING)
            lines = [_line(0, packages, terms.unit_amount or Decimal(0), Decimal(0), currency)]
        elif terms.model == ChargeModel.GRADUATED:
            lines = _graduated(terms.tiers, billable, currency)
        elif terms.model == ChargeModel.VOLUME:
            lines = _volume(terms.tiers, billable, currency)
        else:
            raise ValueError(f"unknown charge model {terms.model!r}")
    total = sum((line.amount for line in lines), Money(0, currency))
    return PricedCharge(
        amount=round_money(total),
        units=units,
        free_units=min(units, terms.free_units),
        billable_units=billable,
        lines=lines,
    )


def charge_terms(charge: Charge, currency: str) -> ChargeTerms:
    """``charge``'s terms in ``currency`` (its prices are read through ``charge.prices.all()``,
    so a prefetch serves them). A charge with no price in that currency is a catalog mistake."""
    price = next((p for p in charge.prices.all() if p.currency == currency), None)
    if price is None:
        raise ValidationFailed(
            f"The {charge.metric.code} charge of {charge.plan.name} has no price in {currency}.",
            code="no_price_in_currency",
        )
    tiers: tuple[Tier, ...] = ()
    if charge.model in (ChargeModel.GRADUATED, ChargeModel.VOLUME):
        tiers = tuple(parse_tiers(price.tiers))
    return ChargeTerms(
        model=charge.model,
        currency=currency,
        free_units=charge.free_units,
        unit_amount=price.unit_amount,
        package_size=charge.package_size,
        tiers=tiers,
    )


def charge_amount(charge: Charge, units: Decimal, currency: str) -> PricedCharge:
    """What ``units`` of ``charge``'s metric cost in ``currency``, and the breakdown."""
    return price_units(charge_terms(charge, currency), units)
