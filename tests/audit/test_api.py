"""GET /api/v1/audit/entries/: who may read the trail, its filters, and isolation."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django_tenants.utils import schema_context

from shared_apps.tenants.models import Tenant
from shared_apps.users.models import User
from tenant_apps.staff.services import api_key_create
from tests.audit.conftest import add_location
from tests.support.people import owner_of
from tests.support.urls import tenant_path

pytestmark = pytest.mark.django_db

URL = tenant_path("audit:entry-list")
JwtClient = Callable[[Tenant, str], Client]


@pytest.mark.parametrize("role", ["manager", "accountant"])
def test_managers_and_accountants_read_the_trail_newest_first(
    business: Tenant, jwt_client: JwtClient, member: Callable[..., User], role: str
) -> None:
    owner = jwt_client(business, business.owner_email)
    first = add_location(owner, "A1")
    second = add_location(owner, "A2")
    reader = member(business, role)
    response = jwt_client(business, reader.email).get(URL, {"model": "inventory.location"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 2 + _default_locations(business)
    newest = body["results"][0]
    assert newest["object_pk"] == str(second["id"])
    assert body["results"][1]["object_pk"] == str(first["id"])
    assert newest["action"] == "create"
    assert newest["model"] == "inventory.location"
    assert newest["actor"] == business.owner_email
    assert newest["remote_addr"] == "127.0.0.1"
    assert newest["changes"]["code"] == ["None", "A2"]
    assert set(newest) == {
        "id", "timestamp", "action", "model", "object_pk", "object_repr", "changes", "actor",
        "remote_addr",
    }  # fmt: skip


def _default_locations(tenant: Tenant) -> int:
    # Signup seeds a store and a warehouse without a request, so without an actor.
    with schema_context(tenant.schema_name):
        return LogEntry.objects.filter(content_type__model="location", actor=None).count()


def test_filters_by_object_actor_and_date(
    business: Tenant, jwt_client: JwtClient, tenant_client: Callable[[Tenant], Client]
) -> None:
    owner = jwt_client(business, business.owner_email)
    by_owner = add_location(owner, "O1")
    with schema_context(business.schema_name):
        issued = api_key_create(actor=owner_of(business), name="Sync", scopes=["inventory:write"])
    add_location(tenant_client(business), "K1", HTTP_AUTHORIZATION=f"Api-Key {issued.key}")

    def pks(**params: str) -> list[str]:
        response = owner.get(URL, {"model": "inventory.location", **params})
        assert response.status_code == 200, response.content
        return [row["object_pk"] for row in response.json()["results"]]

    assert pks(object=str(by_owner["id"])) == [str(by_owner["id"])]
    assert pks(actor=business.owner_email.upper()) == [str(by_owner["id"])]
    assert pks(actor=str(owner_of(business).pk)) == [str(by_owner["id"])]
    key_rows = owner.get(URL, {"actor": f"api-key:{issued.api_key.prefix}"}).json()["results"]
    assert [r["actor"] for r in key_rows] == [f"api-key:{issued.api_key.prefix}"]
    assert pks(start="2000-01-01", end="2000-01-02") == []
    assert len(pks(start="2000-01-01")) >= 2


def test_bad_filters_are_400(business: Tenant, jwt_client: JwtClient) -> None:
    owner = jwt_client(business, business.owner_email)
    unknown = owner.get(URL, {"model": "nowhere.nothing"})
    assert unknown.status_code == 400
    assert unknown.json()["error"]["fields"]["model"][0]["code"] == "unknown_model"
    backwards = owner.get(URL, {"start": "2026-02-02", "end": "2026-02-01"})
    assert backwards.status_code == 400


def test_cashier_is_403_and_anonymous_is_401(
    business: Tenant,
    jwt_client: JwtClient,
    member: Callable[..., User],
    tenant_client: Callable[[Tenant], Client],
) -> None:
    cashier = member(business, "cashier")
    assert jwt_client(business, cashier.email).get(URL).status_code == 403
    assert tenant_client(business).get(URL).status_code == 401


def test_one_business_never_sees_anothers_entries(
    make_tenant: Callable[..., Tenant], jwt_client: JwtClient
) -> None:
    alpha = make_tenant(business_name="Alpha")
    beta = make_tenant(business_name="Beta")
    made_at_alpha = add_location(jwt_client(alpha, alpha.owner_email), "ONLYA")
    rows = jwt_client(beta, beta.owner_email).get(URL).json()["results"]
    assert all(row["object_repr"] != made_at_alpha["name"] for row in rows)
    assert all(row["actor"] != alpha.owner_email for row in rows)
