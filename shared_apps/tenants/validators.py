"""Checks for the reference data a business chooses at signup."""

from __future__ import annotations

import zoneinfo
from functools import cache

import moneyed
from babel import Locale

# Babel's territory list includes groupings and private-use codes that are not countries.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "QO", "UN", "ZZ", "XA", "XB"})


@cache
def country_codes() -> frozenset[str]:
    codes = {str(code) for code in Locale("en").territories}
    return frozenset(c for c in codes if len(c) == 2 and c.isalpha()) - _NOT_COUNTRIES


@cache
def time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_country(code: str) -> bool:
    return code in country_codes()


def is_currency(code: str) -> bool:
    if len(code) != 3 or not code.isalpha() or not code.isupper():
        return False
    try:
        moneyed.get_currency(code)
    except moneyed.CurrencyDoesNotExist:
        return False
    return True


def is_time_zone(name: str) -> bool:
    return name in time_zones()
