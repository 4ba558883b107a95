"""Cost prices are for the roles whose matrix allows ``catalog.view_costs``: a cashier (or a
read-only API key) gets no cost key at all, anywhere a cost would show."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from shared_apps.tenants.models import Tenant
from shared_apps.users.models import Role
from tenant_apps.inventory.models import Location
from tenant_apps.sales.models import Register
from tenant_apps.staff.access import ROLE_ACTIONS, Action
from tests.catalog.conftest import JSON
from tests.support.catalog import make_product
from tests.support.people import issue_api_key
from tests.support.urls import tenant_path

pytestmark = pytest.mark.django_db

JwtClient = Callable[[Tenant, str], Client]


def keys_anywhere(value: Any) -> set[str]:
    """Every key of every object in a JSON answer, however deep."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_anywhere(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_anywhere(v)}
    return set()


@pytest.fixture
def bottles(business: Tenant) -> dict[str, int]:
    parent = make_product(business, "WATER", "Water", price="50", cost_price="20")
    variant = make_product(
        business,
        "WATER-1L",
        "Water 1 l",
        price="80",
        cost_price="31",
        variant_of_id=parent.pk,
        variant_attributes={"size": "1 l"},
        barcodes=("5901234123457",),
    )
    return {"parent": parent.pk, "variant": variant.pk}


def product_answers(client: Client, ids: dict[str, int], **headers: Any) -> list[Any]:
    paths = [
        tenant_path("catalog:product-list"),
        tenant_path("catalog:product-list") + "?q=water",
        tenant_path("catalog:product-detail", product_id=ids["parent"]),
        tenant_path("catalog:product-detail", product_id=ids["variant"]),
        tenant_path("catalog:barcode-detail", code="5901234123457"),
    ]
    answers = []
    for path in paths:
        response = client.get(path, **headers)
        assert response.status_code == 200, (path, response.content)
        answers.append(response.json())
    return answers


def test_a_cashier_gets_no_cost_key_in_any_product_answer(
    business: Tenant, bottles: dict[str, int], member: Callable[..., Any], jwt_client: JwtClient
) -> None:
    cashier = jwt_client(business, member(business, Role.CASHIER).email)

    answers = product_answers(cashier, bottles)

    for answer in answers:
        assert "cost_price" not in keys_anywhere(answer), answer
    assert answers[0]["results"][0]["variants"][0]["price"]["amount"] == "80.00"
    assert cashier.get(tenant_path("catalog:product-export")).status_code == 403


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER, Role.WAREHOUSE, Role.ACCOUNTANT,
                                  Role.ANALYST])  # fmt: skip
def test_roles_that_may_see_costs_get_them(
    business: Tenant,
    bottles: dict[str, int],
    member: Callable[..., Any],
    jwt_client: JwtClient,
    role: str,
) -> None:
    assert Action.CATALOG_VIEW_COSTS in ROLE_ACTIONS[role]
    email = business.owner_email if role == Role.OWNER else member(business, role).email
    client = jwt_client(business, email)

    listed, _, parent, variant, _ = product_answers(client, bottles)

    assert listed["results"][0]["cost_price"]["amount"] == "20.00"
    assert listed["results"][0]["variants"][0]["cost_price"]["amount"] == "31.00"
    assert parent["cost_price"]["amount"] == "20.00"
    assert variant["cost_price"]["amount"] == "31.00"


def test_a_read_only_key_sees_what_a_cashier_sees_and_a_write_key_sees_costs(
    business: Tenant, bottles: dict[str, int], tenant_client: Callable[[Tenant], Client]
) -> None:
    client = tenant_client(business)
    reader: dict[str, Any] = {
        "HTTP_AUTHORIZATION": f"Api-Key {issue_api_key(business, ['catalog:read'])}"
    }
    writer: dict[str, Any] = {
        "HTTP_AUTHORIZATION": f"Api-Key {issue_api_key(business, ['catalog:write'])}"
    }

    for answer in product_answers(client, bottles, **reader):
        assert "cost_price" not in keys_anywhere(answer)
    assert product_answers(client, bottles, **writer)[2]["cost_price"]["amount"] == "20.00"
    assert client.get(tenant_path("catalog:product-export"), **reader).status_code == 403
    assert client.get(tenant_path("catalog:product-export"), **writer).status_code == 200


def test_stock_costs_and_the_shift_report_follow_the_same_rule(
    business: Tenant,
    member: Callable[..., Any],
    jwt_client: JwtClient,
) -> None:
    with tenant_context(business):
        store = Location.objects.get(code="STORE")
        warehouse = Location.objects.get(code="WH")
        till = Register.objects.get(code="TILL1")
    owner = jwt_client(business, business.owner_email)
    cashier = jwt_client(business, member(business, Role.CASHIER).email)
    soap = make_product(business, "SOAP", "Soap", price="116", cost_price="60")
    received = owner.post(
        tenant_path("inventory:opening-balance-list"),
        {"location": warehouse.pk, "product": soap.pk, "quantity": "5"},
        content_type=JSON,
    )
    assert received.status_code == 201, received.content
    transfer = owner.post(
        tenant_path("inventory:transfer-list"),
        {
            "from_location": warehouse.pk,
            "to_location": store.pk,
            "lines": [{"product": soap.pk, "quantity": "2"}],
        },
        content_type=JSON,
    ).json()
    transfer_dispatch_path = tenant_path("inventory:transfer-dispatch", transfer_id=transfer["id"])
    assert owner.post(transfer_dispatch_path).status_code == 200
    shift = cashier.post(
        tenant_path("sales:shift-list", register_id=till.pk),
        {"opening_float": "0"},
        content_type=JSON,
    ).json()
    shift_path = tenant_path("sales:shift-detail", shift_id=shift["id"])

    paths = [tenant_path("inventory:movement-list"),
             tenant_path("inventory:transfer-detail", transfer_id=transfer["id"]),
             tenant_path("inventory:transfer-list"), shift_path]  # fmt: skip
    for path in paths:
        seen_by_owner = keys_anywhere(owner.get(path).json())
        seen_by_cashier = keys_anywhere(cashier.get(path).json())
        assert seen_by_owner & {"unit_cost", "cost_total"}, path
        assert not seen_by_cashier & {"unit_cost", "cost_total", "cost_price"}, path
    shift_close_path = tenant_path("sales:shift-close", shift_id=shift["id"])
    closed = cashier.post(shift_close_path, {"counted_cash": "0"}, content_type=JSON)
    assert closed.status_code == 200, closed.content
    assert "cost_total" not in closed.json()["z_report"]
    assert "cost_total" in owner.get(shift_path).json()["shift"]["z_report"]
    assert cashier.get(tenant_path("inventory:valuation-report")).status_code == 403
    # 3 soaps at 60 still in the warehouse (the 2 dispatched are in transit).
    assert owner.get(tenant_path("inventory:valuation-report")).json()["total"] == "180.00"
