"""Plan limits that bite, from the user's side: 402 ``plan_limit`` naming the limit and the
cheapest plan that allows it, and nothing written."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from billing.entitlements import PlanLimitReached, require
from billing.models import Feature, Limit, Plan
from billing.services.subscriptions import subscription_change_plan
from shared_apps.tenants.models import Tenant
from shared_apps.users.models import User
from tenant_apps.inventory.models import Location
from tenant_apps.sales.models import Register
from tenant_apps.staff.models import ApiKey
from tests.support.urls import tenant_path

pytestmark = pytest.mark.django_db

LOCATIONS = tenant_path("inventory:location-list")


def add_store(client: Client, code: str) -> Any:
    return client.post(
        LOCATIONS, {"code": code, "name": f"Shop {code}", "kind": "storefront"}, "application/json"
    )


def test_a_fourth_store_on_a_three_store_plan_is_refused_until_the_plan_allows_it(
    starter_shop: Tenant, starter_owner: Client
) -> None:
    # Signup made the first store; Starter allows three.
    assert add_store(starter_owner, "S2").status_code == 201
    assert add_store(starter_owner, "S3").status_code == 201

    refused = add_store(starter_owner, "S4")

    assert refused.status_code == 402, refused.content
    error = refused.json()["error"]
    assert error["code"] == "plan_limit"
    assert error["fields"]["limit"] == [{"code": "stores", "message": "Starter allows 3 stores."}]
    (cheapest,) = error["fields"]["cheapest_plan"]
    assert cheapest["code"] == "growth"
    assert cheapest["message"] == "Growth (KES 6500.00 a month) allows 10 stores."
    with tenant_context(starter_shop):
        assert not Location.objects.filter(code="S4").exists()

    subscription_change_plan(tenant=starter_shop, plan_code="growth")

    assert add_store(starter_owner, "S4").status_code == 201


def test_warehouses_do_not_count_as_stores(starter_shop: Tenant, starter_owner: Client) -> None:
    for code in ("S2", "S3"):
        assert add_store(starter_owner, code).status_code == 201

    response = starter_owner.post(
        LOCATIONS, {"code": "WH2", "name": "Back room", "kind": "warehouse"}, "application/json"
    )

    assert response.status_code == 201


def test_a_fourth_till_is_refused(starter_shop: Tenant, starter_owner: Client) -> None:
    with tenant_context(starter_shop):
        store = Location.objects.get(code="STORE").pk
    for code in ("TILL2", "TILL3"):
        made = starter_owner.post(
            tenant_path("sales:register-list"),
            {"code": code, "name": code, "location": store},
            "application/json",
        )
        assert made.status_code == 201, made.content

    refused = starter_owner.post(
        tenant_path("sales:register-list"),
        {"code": "TILL4", "name": "Till 4", "location": store},
        "application/json",
    )

    assert refused.status_code == 402
    assert refused.json()["error"]["fields"]["limit"][0]["code"] == "registers"
    with tenant_context(starter_shop):
        assert Register.objects.count() == 3


def test_a_staff_seat_over_the_limit_is_refused(
    starter_shop: Tenant, starter_owner: Client
) -> None:
    def invite(number: int) -> Any:
        return starter_owner.post(
            tenant_path("staff:staff-list"),
            {"email": f"clerk{number}@example.com", "full_name": "Clerk", "role": "cashier"},
            "application/json",
        )

    # The owner holds the first of Starter's five seats.
    for number in range(4):
        assert invite(number).status_code == 201

    refused = invite(5)

    assert refused.status_code == 402
    assert refused.json()["error"]["fields"]["limit"][0]["code"] == "staff_seats"
    with tenant_context(starter_shop):
        assert User.objects.count() == 5


def test_an_api_key_needs_a_plan_with_api_access(
    starter_shop: Tenant, starter_owner: Client
) -> None:
    body = {"name": "Sync", "scopes": ["catalog:read"]}

    refused = starter_owner.post(tenant_path("staff:api-key-list"), body, "application/json")

    assert refused.status_code == 402, refused.content
    error = refused.json()["error"]
    assert error["fields"]["limit"] == [
        {"code": "api_access", "message": "Starter does not include API access."}
    ]
    assert error["fields"]["cheapest_plan"][0]["code"] == "growth"
    with tenant_context(starter_shop):
        assert not ApiKey.objects.exists()

    subscription_change_plan(tenant=starter_shop, plan_code="growth")

    assert (
        starter_owner.post(tenant_path("staff:api-key-list"), body, "application/json").status_code
        == 201
    )


def test_no_plan_allowing_it_leaves_the_cheapest_plan_out(starter_shop: Tenant) -> None:
    Plan.objects.update(api_access=False)

    with tenant_context(starter_shop), pytest.raises(PlanLimitReached) as refused:
        require(Feature.API_ACCESS)

    assert set(refused.value.fields) == {"limit"}


def test_an_unlimited_plan_never_refuses(starter_shop: Tenant) -> None:
    subscription_change_plan(tenant=starter_shop, plan_code="scale")

    with tenant_context(starter_shop):
        require(Limit.STORES, adding=1_000_000)
