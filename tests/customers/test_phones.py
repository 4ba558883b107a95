"""One spelling per phone number, so lookups and the uniqueness rule see one number (how a
typed number is read is tests/test_phones.py)."""

from __future__ import annotations

import importlib
from collections.abc import Callable

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from saas_platform.errors import Conflict
from shared_apps.tenants.models import Tenant
from tenant_apps.customers.models import Customer
from tenant_apps.customers.selectors import customer_list
from tenant_apps.customers.services import customer_update


def test_one_phone_number_belongs_to_one_customer_however_it_is_written(
    shop: Tenant, make_customer: Callable[..., Customer]
) -> None:
    first = make_customer(name="Akinyi", phone="0712345678")
    other = make_customer(name="Baraka")
    assert first.phone == "+254712345678"
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
        for query in ("0712345678", "+254712345678", "712345", "00254712345678",
                      "+254 712 345 678", "(0712) 345-678"):  # fmt: skip
            assert [c.pk for c in customer_list(q=query)] == [first.pk]


def test_phones_stored_before_e164_get_their_plus(
    shop: Tenant, make_customer: Callable[..., Customer]
) -> None:
    migration = importlib.import_module("tenant_apps.customers.migrations.0003_phone_e164")
    akinyi = make_customer(name="Akinyi", phone="0712345678")
    make_customer(name="No phone")
    with tenant_context(shop):
        Customer.objects.filter(pk=akinyi.pk).update(phone="254712345678")  # as stored before
        with connection.cursor() as cursor:
            cursor.execute(migration.TO_E164)
        assert sorted(Customer.objects.values_list("phone", flat=True)) == ["", "+254712345678"]
        with connection.cursor() as cursor:
            cursor.execute(migration.TO_DIGITS)
        assert sorted(Customer.objects.values_list("phone", flat=True)) == ["", "254712345678"]
