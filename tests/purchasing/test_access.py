"""Who may see and change purchasing, and that one business never sees another's suppliers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from shared_apps.tenants.models import Tenant
from shared_apps.users.models import User
from tenant_apps.purchasing.models import Supplier
from tests.purchasing.conftest import Shop, post
from tests.support.urls import tenant_path

pytestmark = pytest.mark.django_db

SUPPLIERS = tenant_path("purchasing:supplier-list")


def test_warehouse_staff_manage_suppliers(shop: Shop, api: Client) -> None:
    created = post(api, SUPPLIERS, {"name": "Nakuru Dairy", "phone": "+254700000001",
                                    "payment_terms_days": 14})  # fmt: skip
    assert created.status_code == 201, created.content
    supplier_id = created.json()["id"]

    changed = api.patch(
        tenant_path("purchasing:supplier-detail", supplier_id=supplier_id),
        {"lead_time_days": 2},
        content_type="application/json",
    )
    deactivated = post(api, tenant_path("purchasing:supplier-deactivate", supplier_id=supplier_id))

    assert changed.json()["lead_time_days"] == 2
    assert changed.json()["payment_terms_days"] == 14
    assert deactivated.json()["is_active"] is False
    active = api.get(SUPPLIERS, {"active": "true"}).json()["results"]
    assert [s["name"] for s in active] == ["Mombasa Wholesalers"]


def test_supplier_names_are_unique_whatever_their_case(shop: Shop, api: Client) -> None:
    response = post(api, SUPPLIERS, {"name": "MOMBASA wholesalers"})

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["name"][0]["code"] == "supplier_name_taken"
    with tenant_context(shop.tenant):
        assert Supplier.objects.count() == 1


def test_a_deactivated_supplier_takes_no_new_orders(shop: Shop, api: Client) -> None:
    post(api, tenant_path("purchasing:supplier-deactivate", supplier_id=shop.supplier.pk))

    response = post(
        api,
        tenant_path("purchasing:purchase-order-list"),
        {"supplier": shop.supplier.pk, "destination": shop.warehouse.pk},
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["supplier"][0]["code"] == "inactive"


def test_a_cashier_may_not_even_look(
    shop: Shop,
    member: Callable[..., User],
    jwt_client: Callable[[Tenant, str], Client],
) -> None:
    cashier = jwt_client(shop.tenant, member(shop.tenant, "cashier").email)

    listed = cashier.get(SUPPLIERS)
    created = post(cashier, SUPPLIERS, {"name": "Sneaky Supplies"})

    assert listed.status_code == 403
    assert created.status_code == 403
    assert listed.json()["error"]["code"] == "permission_denied"
    with tenant_context(shop.tenant):
        assert Supplier.objects.count() == 1


def test_an_accountant_may_look_but_not_order(
    shop: Shop,
    member: Callable[..., User],
    jwt_client: Callable[[Tenant, str], Client],
) -> None:
    accountant = jwt_client(shop.tenant, member(shop.tenant, "accountant").email)

    assert accountant.get(SUPPLIERS).status_code == 200
    assert accountant.get(tenant_path("purchasing:payables-report")).status_code == 200
    assert post(accountant, SUPPLIERS, {"name": "X"}).status_code == 403


def test_anonymous_requests_are_unauthenticated(
    shop: Shop, tenant_client: Callable[[Tenant], Client]
) -> None:
    anonymous = tenant_client(shop.tenant)

    assert anonymous.get(SUPPLIERS).status_code == 401
    assert post(anonymous, SUPPLIERS, {"name": "X"}).status_code == 401
    assert anonymous.get(tenant_path("purchasing:payables-report")).status_code == 401


def test_a_supplier_of_one_business_is_invisible_at_another(
    shop: Shop,
    make_tenant: Callable[..., Tenant],
    member: Callable[..., User],
    jwt_client: Callable[[Tenant, str], Client],
) -> None:
    other = make_tenant(business_name="Beta Stores")
    beta = jwt_client(other, member(other, "warehouse").email)

    listed = beta.get(SUPPLIERS).json()["results"]
    detail = beta.get(tenant_path("purchasing:supplier-detail", supplier_id=shop.supplier.pk))

    assert listed == []
    assert detail.status_code == 404
