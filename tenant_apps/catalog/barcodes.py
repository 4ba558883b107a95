"""Which symbology a scanned code is, and whether its GS1 check digit is right.

Retail codes (EAN-13, EAN-8, UPC-A) end in a check digit; a code of that shape with a wrong one
is almost always a typing or printing mistake, so it is refused rather than stored. Anything
else a shop prints for itself (letters, other lengths) is kept as an internal code.
"""

from __future__ import annotations

from saas_platform.errors import ValidationFailed
from tenant_apps.catalog.models import Symbology

GS1_LENGTHS = {13: Symbology.EAN13, 8: Symbology.EAN8, 12: Symbology.UPCA}
MAX_LENGTH = 64


def gs1_check_digit(payload: str) -> int:
    """The check digit for ``payload`` (the code without its last digit).

    Weights alternate 3, 1, … starting from the digit nearest the check digit, which gives the
    same result for every GS1 length.
    """
    total = sum(
        int(digit) * (3 if index % 2 == 0 else 1) for index, digit in enumerate(reversed(payload))
    )
    return (10 - total % 10) % 10


def with_check_digit(payload: str) -> str:
    return payload + str(gs1_check_digit(payload))


def normalize_code(code: str) -> str:
    # Scanners and spreadsheets add stray spaces; they are never part of a code.
    return code.strip()


def classify(code: str, *, field: str = "code") -> tuple[str, Symbology]:
    """The cleaned code and its symbology; raises ValidationFailed for a code we cannot store."""
    code = normalize_code(code)
    if not code:
        raise ValidationFailed.for_field(field, "blank", "A barcode cannot be empty.")
    if len(code) > MAX_LENGTH:
        raise ValidationFailed.for_field(
            field, "too_long", f"A barcode has at most {MAX_LENGTH} characters."
        )
    if any(character.isspace() for character in code):
        raise ValidationFailed.for_field(
            field, "invalid_barcode", "A barcode cannot contain spaces."
        )
    symbology = GS1_LENGTHS.get(len(code)) if code.isascii() and code.isdigit() else None
    if symbology is None:
        return code, Symbology.INTERNAL
    if gs1_check_digit(code[:-1]) != int(code[-1]):
        raise ValidationFailed.for_field(
            field,
            "invalid_check_digit",
            f"{code} is not a valid {symbology.label}: its check digit should be "
            f"{gs1_check_digit(code[:-1])}.",
        )
    return code, symbology
