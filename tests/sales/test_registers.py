"""Finding a till's open shift: the till as a cashier reads it, and a second shift's refusal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client
from django_tenants.utils import schema_context

from shared_apps.tenants.models import Tenant
from tenant_apps.sales.models import Register, Shift
from tests.support.urls import tenant_path

JSON = "application/json"


def test_a_cashier_reads_the_till_with_its_open_shift(
    business: Tenant, till: Register, cashier_client: Client
) -> None:
    closed = cashier_client.get(tenant_path("sales:register-detail", register_id=till.pk))
    assert closed.status_code == 200, closed.content
    assert closed.json()["open_shift"] is None

    opened = cashier_client.post(
        tenant_path("sales:shift-list", register_id=till.pk),
        {"opening_float": "500"},
        content_type=JSON,
    )
    assert opened.status_code == 201, opened.content
    shift = opened.json()

    body = cashier_client.get(tenant_path("sales:register-detail", register_id=till.pk)).json()
    assert body["code"] == "TILL1"
    assert body["open_shift"] == {
        "id": shift["id"],
        "opened_at": shift["opened_at"],
        "opened_by": shift["opened_by"],
    }
    listed = cashier_client.get(tenant_path("sales:register-list")).json()["results"]
    assert [r["open_shift"]["id"] for r in listed if r["id"] == till.pk] == [shift["id"]]


def test_a_second_shift_is_409_naming_the_open_one(
    business: Tenant, till: Register, open_shift: int, cashier_client: Client
) -> None:
    response = cashier_client.post(
        tenant_path("sales:shift-list", register_id=till.pk),
        {"opening_float": "100"},
        content_type=JSON,
    )

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "shift_open"
    assert error["fields"]["shift"][0]["message"] == str(open_shift)
    assert str(open_shift) in error["message"]
    with schema_context(business.schema_name):
        assert list(Shift.objects.values_list("pk", flat=True)) == [open_shift]


def test_a_cashier_still_cannot_change_a_till_and_an_unknown_till_is_404(
    business: Tenant,
    till: Register,
    cashier_client: Client,
    member: Callable[..., Any],
    jwt_client: Callable[[Tenant, str], Client],
) -> None:
    renamed = cashier_client.patch(
        tenant_path("sales:register-detail", register_id=till.pk),
        {"name": "Mine"},
        content_type=JSON,
    )
    warehouse = jwt_client(business, member(business, "warehouse").email)

    assert renamed.status_code == 403
    unknown = tenant_path("sales:register-detail", register_id=999999)
    assert cashier_client.get(unknown).status_code == 404
    assert (
        warehouse.get(tenant_path("sales:register-detail", register_id=till.pk)).status_code == 403
    )
    with schema_context(business.schema_name):
        assert Register.objects.get(pk=till.pk).name == till.name
