"""The one phone module: whatever a person typed, one stored form (E.164 with its +), the
business's country as the default, and the forms the providers want."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django_tenants.utils import tenant_context

from saas_platform.errors import ValidationFailed
from saas_platform.phones import (
    InvalidPhone,
    phone_digits,
    phone_e164,
    phone_is_mobile,
    phone_national,
    phone_normalise,
    phone_region,
)
from shared_apps.tenants.models import Tenant


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("0712345678", "KE", "+254712345678"),  # a trunk 0
        ("0712 345 678", "KE", "+254712345678"),  # spaces
        ("(0712) 345-678", "KE", "+254712345678"),
        ("+254 712-345-678", "KE", "+254712345678"),  # a +
        ("254712345678", "KE", "+254712345678"),  # the country code without +
        ("712345678", "KE", "+254712345678"),
        ("0110 123456", "KE", "+254110123456"),
        ("00254712345678", "KE", "+254712345678"),  # a 00 prefix
        ("0772123456", "UG", "+256772123456"),
        ("0754123456", "TZ", "+255754123456"),
        ("08031234567", "NG", "+2348031234567"),
        ("0241234567", "GH", "+233241234567"),
        ("9876543210", "IN", "+919876543210"),
        ("+91 98765 43210", "IN", "+919876543210"),
        ("0821234567", "ZA", "+27821234567"),
        ("+256772123456", "KE", "+256772123456"),  # a Ugandan number at a Kenyan shop
        ("0044 20 7946 0958", "KE", "+442079460958"),  # 00, though Kenya dials out with 000
        ("000 44 20 7946 0958", "KE", "+442079460958"),
        ("0612345678", "FR", "+33612345678"),  # any country the library knows
    ],
)
def test_numbers_are_stored_as_e164(raw: str, country: str, expected: str) -> None:
    assert phone_e164(raw, country) == expected
    assert phone_normalise(raw, region=country) == expected


@pytest.mark.parametrize(
    "raw",
    ["07123", "07123456789", "+2547123", "phone me", "0712x45678", "+1234", "1-800",
     "0812345678", "0712 ABC 678", "+", "256772123456"],
)  # fmt: skip
def test_unreadable_numbers_are_refused_on_the_field_asked(raw: str) -> None:
    with pytest.raises(InvalidPhone):
        phone_e164(raw, "KE")
    with pytest.raises(ValidationFailed) as refused:
        phone_normalise(raw, region="KE")
    assert refused.value.fields["phone"][0]["code"] == "invalid_phone"
    assert "0712 123456" in refused.value.message  # an example in the country's own form
    with pytest.raises(ValidationFailed) as refused:
        phone_normalise(raw, region="KE", field="payer")
    assert list(refused.value.fields) == ["payer"]


def test_blank_stays_blank() -> None:
    assert phone_normalise("", region="KE") == phone_normalise("   ", region="KE") == ""


def test_the_business_country_is_the_default(make_tenant: Callable[..., Tenant]) -> None:
    kampala = make_tenant(country="UG", currency="UGX", time_zone="Africa/Kampala")
    with tenant_context(kampala):
        assert phone_normalise("0772 123456") == "+256772123456"
        assert phone_normalise("+254712345678") == "+254712345678"
        with pytest.raises(ValidationFailed):
            phone_normalise("0712 34567")


@pytest.mark.parametrize("stored", ["+254712345678", "254712345678"])
def test_providers_get_the_forms_they_want(stored: str) -> None:
    assert phone_digits(stored) == "254712345678"
    assert phone_national(stored) == "712345678"
    assert phone_national(stored, country_code="254") == "712345678"
    assert phone_region(stored) == "KE"
    assert phone_is_mobile(stored)


def test_a_provider_form_needs_the_country() -> None:
    # A national number says nothing of its country unless the provider's account does.
    with pytest.raises(InvalidPhone):
        phone_digits("0712345678")
    assert phone_national("0712345678", country_code="254") == "712345678"
    with pytest.raises(InvalidPhone):  # a Ugandan payer on a Kenyan account
        phone_national("+256772123456", country_code="254")
    assert not phone_is_mobile("+254202222222")  # a Nairobi landline
