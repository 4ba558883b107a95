"""Per-business API keys: shown once, hashed, scoped, revocable, host-bound, rate-limited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from shared_apps.tenants.models import Tenant
from shared_apps.users.models import Role, User
from tenant_apps.staff.models import ApiKey
from tests.support.billing import put_on_plan
from tests.support.people import issue_api_key
from tests.support.urls import tenant_path

pytestmark = pytest.mark.django_db

JwtClient = Callable[[Tenant, str], Client]
TenantClient = Callable[[Tenant], Client]


def with_key(client: Client, key: str, path: str = tenant_path("inventory:location-list")) -> Any:
    return client.get(path, HTTP_AUTHORIZATION=f"Api-Key {key}")


def test_owner_creates_a_key_that_is_shown_once_and_stored_hashed(
    business: Tenant, jwt_client: JwtClient
) -> None:
    client = jwt_client(business, business.owner_email)

    created = client.post(
        tenant_path("staff:api-key-list"),
        {"name": "Web shop", "scopes": ["inventory:read", "catalog:write"]},
        content_type="application/json",
    )
    listed = client.get(tenant_path("staff:api-key-list"))

    assert created.status_code == 201
    key = created.json()["key"]
    assert key.startswith(f"dk_{created.json()['api_key']['prefix']}_")
    assert key not in listed.content.decode()
    row = listed.json()["results"][0]
    assert row["name"] == "Web shop"
    assert row["scopes"] == ["catalog:write", "inventory:read"]
    assert row["status"] == "active"
    assert row["created_by"] == business.owner_email
    with schema_context(business.schema_name):
        stored = ApiKey.objects.get()
        assert key.split("_", 2)[2] not in stored.secret_digest


def test_key_in_scope_works_and_records_its_use(
    business: Tenant, tenant_client: TenantClient
) -> None:
    key = issue_api_key(business, ["inventory:read"])

    response = with_key(tenant_client(business), key)

    assert response.status_code == 200
    assert [r["code"] for r in response.json()["results"]] == ["STORE", "WH"]
    with schema_context(business.schema_name):
        assert ApiKey.objects.get().last_used_at is not None


def test_write_scope_includes_read(business: Tenant, tenant_client: TenantClient) -> None:
    assert (
        with_key(tenant_client(business), issue_api_key(business, ["inventory:write"])).status_code
        == 200
    )


def test_key_out_of_scope_is_403(business: Tenant, tenant_client: TenantClient) -> None:
    response = with_key(tenant_client(business), issue_api_key(business, ["catalog:read"]))

    assert response.status_code == 403
    assert "scope" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "path",
    [
        tenant_path("staff:staff-list"),
        tenant_path("staff:api-key-list"),
        tenant_path("staff:current-user-detail"),
    ],
)
def test_keys_never_reach_people_management(
    business: Tenant, tenant_client: TenantClient, path: str
) -> None:
    every_scope = ["inventory:write", "catalog:write", "sales:write", "ledger:write"]
    response = with_key(tenant_client(business), issue_api_key(business, every_scope), path)

    assert response.status_code == 403


def test_key_of_one_business_is_401_at_another(
    make_tenant: Callable[..., Tenant], tenant_client: TenantClient
) -> None:
    alpha, beta = make_tenant(), make_tenant()
    put_on_plan(alpha, "growth")  # the trial's Starter has no API access
    key = issue_api_key(alpha, ["inventory:read"])

    response = with_key(tenant_client(beta), key)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "api_key_invalid"


def test_revoked_key_is_401(
    business: Tenant, jwt_client: JwtClient, tenant_client: TenantClient
) -> None:
    key = issue_api_key(business, ["inventory:read"])
    with schema_context(business.schema_name):
        key_id = ApiKey.objects.get().pk

    api_key_revoke_path = tenant_path("staff:api-key-revoke", api_key_id=key_id)
    revoked = jwt_client(business, business.owner_email).post(api_key_revoke_path)
    response = with_key(tenant_client(business), key)

    assert revoked.json()["status"] == "revoked"
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "api_key_revoked"


def test_expired_key_is_401(business: Tenant, tenant_client: TenantClient) -> None:
    key = issue_api_key(
        business, ["inventory:read"], expires_at=timezone.now() + timedelta(hours=1)
    )
    with schema_context(business.schema_name):
        ApiKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = with_key(tenant_client(business), key)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "api_key_expired"


@pytest.mark.parametrize(
    "header",
    ["Api-Key", "Api-Key dk_nope", "Api-Key dk_abc_def", "Api-Key a b", "Api-Key xx_1_2"],
)
def test_malformed_or_unknown_keys_are_401(
    business: Tenant, tenant_client: TenantClient, header: str
) -> None:
    response = tenant_client(business).get(
        tenant_path("inventory:location-list"), HTTP_AUTHORIZATION=header
    )

    assert response.status_code == 401


def test_right_prefix_wrong_secret_is_401(business: Tenant, tenant_client: TenantClient) -> None:
    key = issue_api_key(business, ["inventory:read"])
    forged = key[: key.rindex("_") + 1] + "A" * 43

    assert with_key(tenant_client(business), forged).status_code == 401


def test_rate_limit_answers_429_with_retry_after(
    business: Tenant, tenant_client: TenantClient
) -> None:
    key = issue_api_key(business, ["inventory:read"], rate_limit_per_minute=3)
    client = tenant_client(business)

    codes = [with_key(client, key).status_code for _ in range(4)]
    limited = with_key(client, key)

    assert codes == [200, 200, 200, 429]
    assert limited.json()["error"]["code"] == "throttled"
    assert 1 <= int(limited["Retry-After"]) <= 60


def test_rate_limits_are_per_key(business: Tenant, tenant_client: TenantClient) -> None:
    busy = issue_api_key(business, ["inventory:read"], rate_limit_per_minute=1)
    quiet = issue_api_key(business, ["inventory:read"], rate_limit_per_minute=1)
    client = tenant_client(business)

    with_key(client, busy)

    assert with_key(client, busy).status_code == 429
    assert with_key(client, quiet).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "K", "scopes": ["everything:write"]}, "scopes[0]"),
        ({"name": "K", "scopes": []}, "scopes"),
        (
            {"name": "K", "scopes": ["catalog:read"], "expires_at": "2001-01-01T00:00:00Z"},
            "expires_at",
        ),
        ({"scopes": ["catalog:read"]}, "name"),
    ],
)
def test_bad_key_requests_are_400_and_create_nothing(
    business: Tenant, jwt_client: JwtClient, body: dict[str, Any], field: str
) -> None:
    response = jwt_client(business, business.owner_email).post(
        tenant_path("staff:api-key-list"), body, content_type="application/json"
    )

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    with schema_context(business.schema_name):
        assert not ApiKey.objects.exists()


def test_only_owners_manage_keys(
    business: Tenant, member: Callable[..., User], jwt_client: JwtClient
) -> None:
    manager = member(business, Role.MANAGER)

    response = jwt_client(business, manager.email).post(
        tenant_path("staff:api-key-list"),
        {"name": "K", "scopes": ["catalog:read"]},
        content_type="application/json",
    )

    assert response.status_code == 403


def test_openapi_documents_the_three_auth_schemes(
    business: Tenant, tenant_client: TenantClient
) -> None:
    schema = (
        tenant_client(business)
        .get(tenant_path("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
        .json()
    )

    schemes = schema["components"]["securitySchemes"]
    assert schemes["jwtAuth"]["scheme"] == "bearer"
    assert schemes["apiKeyAuth"]["type"] == "apiKey"
    assert schemes["cookieAuth"]["in"] == "cookie"
