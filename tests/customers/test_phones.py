"""One spelling per phone number, so lookups and the uniqueness rule see one number."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django_tenants.utils import tenant_context

from saas_platform.errors import Conflict, ValidationFailed
from shared_apps.tenants.models import Tenant
from tenant_apps.customers.models import Customer
from tenant_apps.customers.phones import phone_normalise
from tenant_apps.customers.selectors import customer_list
from tenant_apps.customers.services import customer_update


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("0712345678", "KE", "254712345678"),
        ("0712 345 678", "KE", "254712345678"),
        ("+254 712-345-678", "KE", "254712345678"),
        ("254712345678", "KE", "254712345678"),
        ("712345678", "KE", "254712345678"),
        ("0110 123456", "KE", "254110123456"),
        ("0772123456", "UG", "256772123456"),
        ("0754123456", "TZ", "255754123456"),
        ("08031234567", "NG", "2348031234567"),
        ("0241234567", "GH", "233241234567"),
        ("9876543210", "IN", "919876543210"),
        ("+91 98765 43210", "IN", "919876543210"),
        ("0821234567", "ZA", "27821234567"),
        ("+256772123456", "KE", "256772123456"),  # a Ugandan number at a Kenyan shop
        ("0044 20 7946 0958", "KE", "442079460958"),
        ("", "KE", ""),
    ],
)
def test_numbers_are_stored_as_e164_digits(raw: str, country: str, expected: str) -> None:
    assert phone_normalise(raw, country) == expected


@pytest.mark.parametrize(
    "raw", ["07123", "07123456789", "+2547123", "phone me", "0712x45678", "+1234", "1-800"]
)
def test_unreadable_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        phone_normalise(raw, "KE")
    assert refused.value.fields["phone"][0]["code"] == "invalid_phone"


def test_a_national_number_needs_a_known_country() -> None:
    with pytest.raises(ValidationFailed):
        phone_normalise("0612345678", "FR")
    assert phone_normalise("+33612345678", "FR") == "33612345678"


def test_one_phone_number_belongs_to_one_customer_however_it_is_written(
    shop: Tenant, make_customer: Callable[..., Customer]
) -> None:
    first = make_customer(name="Akinyi", phone="0712345678")
    other = make_customer(name="Baraka")
    assert first.phone == "254712345678"
    with tenant_context(shop):
        with pytest.raises(Conflict) as taken:
            make_customer(name="Imposter", phone="+254 712 345 678")
        assert taken.value.fields["phone"][0]["code"] == "phone_taken"
        with pytest.raises(Conflict):
            customer_update(customer_id=other.pk, phone="254712345678")
        assert Customer.objects.count() == 2
        assert Customer.objects.get(pk=other.pk).phone == ""
        # several customers without a phone are fine
        make_customer(name="No phone either")
        # and each spelling finds the customer
        for query in ("0712345678", "+254712345678", "712345"):
            assert [c.pk for c in customer_list(q=query)] == [first.pk]
