"""Phone numbers as E.164 digits (254712345678), however the cashier typed them.

Customers are found by phone at the till and M-Pesa reports payers by phone in this form, so
one spelling per number is what makes both lookups and the uniqueness rule work.
"""

from __future__ import annotations

import re

from saas_platform.errors import DukaError, ValidationFailed
from saas_platform.tenancy import current_business

# Country → (calling code, digits of a national number without its trunk 0).
NATIONAL_PLANS: dict[str, tuple[str, int]] = {
    "KE": ("254", 9),
    "UG": ("256", 9),
    "TZ": ("255", 9),
    "NG": ("234", 10),
    "GH": ("233", 9),
    "IN": ("91", 10),
    "ZA": ("27", 9),
}

_SEPARATORS = re.compile(r"[\s\-().]")


def _invalid(raw: str) -> DukaError:
    return ValidationFailed.for_field(
        "phone", "invalid_phone", f"{raw} is not a phone number we can read."
    )


def phone_normalise(raw: str, country: str | None = None) -> str:
    """``0712 345 678``, ``+254712345678`` or ``254712345678`` → ``254712345678``.

    Numbers of the business's own country may be written nationally; any other country's
    need the international form (``+`` or ``00``). Empty stays empty.
    """
    text = _SEPARATORS.sub("", raw or "")
    if not text:
        return ""
    international = text.startswith(("+", "00"))
    digits = text[1:] if text.startswith("+") else text[2:] if text.startswith("00") else text
    if not digits.isdigit():
        raise _invalid(raw)
    plan = NATIONAL_PLANS.get((country or current_business().country).upper())
    if plan is not None:
        calling_code, length = plan
        if digits.startswith(calling_code) and len(digits) == len(calling_code) + length:
            return digits
        if not international:
            if digits.startswith("0") and len(digits) == length + 1:
                return calling_code + digits[1:]
            if len(digits) == length:
                return calling_code + digits
            raise _invalid(raw)
        if digits.startswith(calling_code):  # our own country, the wrong number of digits
            raise _invalid(raw)
    elif not international and digits.startswith("0"):
        raise _invalid(raw)  # a national number, but we do not know this country's plan
    if not 8 <= len(digits) <= 15:  # E.164 allows at most 15 digits
        raise _invalid(raw)
    return digits
