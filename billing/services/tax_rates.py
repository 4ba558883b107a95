"""Platform owners' tax rates: the tax billing adds to invoices, by the business's country.

A change applies to invoices written after it; issued invoices keep the rate they were
written with (``Invoice.tax_rate``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from billing.models import TaxRate
from saas_platform.errors import Conflict, FieldErrorCollector
from saas_platform.locking import lock_found
from shared_apps.tenants.validators import is_country

NAME_MAX_LENGTH = 40
# The column keeps four decimals (0.1600 for 16 %); a rate of 1 would double every invoice
# and the database refuses it.
RATE_PLACES = 4


def _check(errors: FieldErrorCollector, changes: dict[str, Any]) -> None:
    if "name" in changes:
        name = str(changes["name"]).strip()
        if not name:
            errors.add("name", "required", "Name the tax (VAT, GST).")
        elif len(name) > NAME_MAX_LENGTH:
            errors.add("name", "max_length", f"Keep the name to {NAME_MAX_LENGTH} characters.")
        changes["name"] = name
    if "rate" in changes:
        rate = changes["rate"]
        if not isinstance(rate, Decimal) or not rate.is_finite():
            errors.add("rate", "invalid", "Give the rate as a decimal fraction: 0.16 for 16 %.")
        elif not Decimal(0) <= rate < Decimal(1):
            errors.add(
                "rate", "out_of_range", "A rate is a fraction from 0 to below 1: 0.16 for 16 %."
            )
        elif rate != rate.quantize(Decimal(1).scaleb(-RATE_PLACES)):
            errors.add("rate", "max_decimal_places", f"At most {RATE_PLACES} decimals (0.1575).")


def _country(code: str, errors: FieldErrorCollector) -> str:
    country = code.strip().upper()
    if not is_country(country):
        errors.add("country", "unknown_country", f"“{code[:10]}” is not an ISO 3166 country code.")
    return country


@transaction.atomic
def tax_rate_create(*, country: str, name: str, rate: Decimal, is_active: bool = True) -> TaxRate:
    errors = FieldErrorCollector()
    country = _country(country, errors)
    fields: dict[str, Any] = {"name": name, "rate": rate}
    _check(errors, fields)
    errors.raise_if_any()
    if TaxRate.objects.filter(country=country).exists():
        raise Conflict.for_field(
            "country", "country_taken", f"{country} has a tax rate already; edit it instead."
        )
    return TaxRate.objects.create(country=country, is_active=is_active, **fields)


@transaction.atomic
def tax_rate_update(*, country: str, **changes: Any) -> TaxRate:
    """Sets what ``changes`` names of ``name``, ``rate`` and ``is_active``."""
    tax = lock_found(TaxRate, country=country.upper(), missing=f"No tax rate for {country[:10]}.")
    changes = {k: v for k, v in changes.items() if k in ("name", "rate", "is_active")}
    errors = FieldErrorCollector()
    _check(errors, changes)
    errors.raise_if_any()
    for name, value in changes.items():
        setattr(tax, name, value)
    tax.save()
    return tax
