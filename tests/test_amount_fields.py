"""One precision for amounts and one for quantities (saas_platform/api/fields.py, docs/api.md
"Input limits"): as the columns hold them, and amounts that are added up kept short of it."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from shared_apps.tenants.models import Tenant
from tenant_apps.sales.models import Register, Shift
from tests.support.catalog import make_product
from tests.support.urls import tenant_path

pytestmark = pytest.mark.django_db

JSON = "application/json"


def test_a_shift_float_that_its_sums_could_not_hold_is_refused(
    owner_client: Client, business: Tenant
) -> None:
    with tenant_context(business):
        till = Register.objects.get(code="TILL1")
    url = tenant_path("sales:shift-list", register_id=till.pk)

    too_much = owner_client.post(url, {"opening_float": "1000000000000"}, content_type=JSON)
    most = owner_client.post(url, {"opening_float": "999999999999.9999"}, content_type=JSON)

    assert too_much.status_code == 400
    assert too_much.json()["error"]["fields"]["opening_float"][0]["code"] == "max_value"
    assert most.status_code == 201, most.content
    with tenant_context(business):
        assert Shift.objects.filter(register=till).count() == 1


def test_a_pack_holds_as_much_as_any_quantity_column(
    owner_client: Client, business: Tenant
) -> None:
    product = make_product(business, "PALLET", "Pallet")
    url = tenant_path("catalog:product-barcode-list", product_id=product.pk)

    biggest = owner_client.post(
        url, {"code": "PALLET-1", "pack_quantity": "99999999999.999"}, content_type=JSON
    )
    beyond = owner_client.post(
        url, {"code": "PALLET-2", "pack_quantity": "100000000000"}, content_type=JSON
    )

    assert biggest.status_code == 201, biggest.content
    assert biggest.json()["pack_quantity"] == "99999999999.999"
    assert beyond.status_code == 400
    assert beyond.json()["error"]["fields"]["pack_quantity"][0]["code"] == "max_whole_digits"
