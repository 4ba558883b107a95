"""Money and generated columns are recorded sensibly; each update records only what changed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django_tenants.utils import schema_context

from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.services import product_update
from tests.support.catalog import make_product

pytestmark = pytest.mark.django_db


def test_product_price_change_is_recorded_as_money_and_nothing_else(business: Tenant) -> None:
    product = make_product(business, "SKU-1", "Sugar 1kg", price="120")
    with schema_context(business.schema_name):
        created = LogEntry.objects.get(
            content_type__model="product", object_pk=str(product.pk), action=0
        )
        # the generated search column is never part of the trail
        assert "search_document" not in created.changes_dict
        product_update(product_id=product.pk, fields={"price": Decimal("135")})
        updated = LogEntry.objects.get(
            content_type__model="product", object_pk=str(product.pk), action=1
        )
    assert set(updated.changes_dict) == {"price"}
    # money is recorded with its currency, as py-moneyed prints it
    assert updated.changes_dict["price"] == ["KES120.00", "KES135.00"]
