"""Barcode symbologies and GS1 check digits."""

from __future__ import annotations

import pytest

from saas_platform.errors import ValidationFailed
from tenant_apps.catalog.barcodes import classify, gs1_check_digit, with_check_digit
from tenant_apps.catalog.models import Symbology


@pytest.mark.parametrize(
    ("code", "symbology"),
    [
        ("5901234123457", Symbology.EAN13),
        ("96385074", Symbology.EAN8),
        ("036000291452", Symbology.UPCA),
        ("SUGAR-1KG", Symbology.INTERNAL),
        ("12345", Symbology.INTERNAL),
        ("59012341234570", Symbology.INTERNAL),  # 14 digits is not a length we check
    ],
)
def test_codes_are_classified_by_shape(code: str, symbology: Symbology) -> None:
    assert classify(f"  {code} ") == (code, symbology)


@pytest.mark.parametrize("code", ["5901234123458", "96385075", "036000291453"])
def test_a_wrong_check_digit_is_refused(code: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        classify(code)

    assert refused.value.fields["code"][0]["code"] == "invalid_check_digit"


def test_check_digit_is_computed_for_every_gs1_length() -> None:
    assert gs1_check_digit("590123412345") == 7
    assert gs1_check_digit("9638507") == 4
    assert gs1_check_digit("03600029145") == 2
    assert with_check_digit("616100000001") == "6161000000019"


@pytest.mark.parametrize(("code", "problem"), [("   ", "blank"), ("AB 12", "invalid_barcode")])
def test_blank_or_spaced_codes_are_refused(code: str, problem: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        classify(code)

    assert refused.value.fields["code"][0]["code"] == problem
