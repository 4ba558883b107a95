"""``GET /api/v1/console/tenants/``: the tenants list as JSON, for platform owners only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from shared_apps.tenants.models import Tenant, TenantStatus
from shared_apps.tenants.services import tenant_set_status
from shared_apps.users.models import User
from tests.console.conftest import bare_tenant
from tests.support.tenants import STRONG_PASSWORD
from tests.support.urls import root_path

pytestmark = pytest.mark.django_db

URL = root_path("console-api:tenant-list")


def slugs(body: dict[str, Any]) -> list[str]:
    return [row["slug"] for row in body["results"]]


def test_owner_gets_the_tenants_with_status_and_aggregates(
    make_tenant: Callable[..., Tenant], add_staff: Callable[..., User], owner_client: Client
) -> None:
    tenant = make_tenant(slug="api-shop", business_name="API Shop")
    add_staff(tenant, "second@api.example")
    add_staff(tenant, "former@api.example", is_active=False)
    tenant_set_status(tenant=tenant, status=TenantStatus.SUSPENDED, reason="unpaid")

    response = owner_client.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["next"] is None
    (row,) = body["results"]
    assert set(row) == {
        "slug",
        "name",
        "status",
        "status_reason",
        "plan",
        "subscription_status",
        "created_at",
        "last_activity_at",
        "staff_count",
    }
    assert (row["slug"], row["name"], row["status"], row["status_reason"]) == (
        "api-shop",
        "API Shop",
        "suspended",
        "unpaid",
    )
    assert (row["plan"], row["last_activity_at"], row["staff_count"]) == ("Starter", None, 2)
    # The business's own status is the console's suspension; its subscription is still a trial.
    assert row["subscription_status"] == "trialing"


def test_owner_can_filter_and_search(
    make_tenant: Callable[..., Tenant], owner_client: Client
) -> None:
    make_tenant(slug="north-duka")
    south = make_tenant(slug="south-duka", business_name="Southern Goods")
    tenant_set_status(tenant=south, status=TenantStatus.ACTIVE)

    assert slugs(owner_client.get(URL, {"status": "active"}).json()) == ["south-duka"]
    assert slugs(owner_client.get(URL, {"search": "SOUTHERN"}).json()) == ["south-duka"]
    assert slugs(owner_client.get(URL, {"search": "duka", "status": "trialing"}).json()) == [
        "north-duka"
    ]


def test_unknown_status_is_a_validation_error(owner_client: Client) -> None:
    response = owner_client.get(URL, {"status": "frozen"})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["fields"]["status"][0]["code"] == "invalid_choice"


def test_results_come_a_page_at_a_time(public_tenant: Tenant, owner_client: Client) -> None:
    for number in range(51):
        bare_tenant(f"paged-{number:02d}")

    whole = owner_client.get(URL).json()
    first = owner_client.get(URL, {"limit": 50}).json()
    second = owner_client.get(first["next"]).json()

    assert (whole["count"], len(whole["results"]), whole["next"]) == (51, 51, None)
    assert first["count"] == 51
    assert len(first["results"]) == 50
    assert first["next"] == "http://localhost/api/v1/console/tenants/?limit=50&offset=50"
    assert slugs(second) == ["paged-00"]
    assert second["previous"] == "http://localhost/api/v1/console/tenants/?limit=50"


def test_an_offset_past_the_end_is_an_empty_page(owner_client: Client) -> None:
    response = owner_client.get(URL, {"offset": 100})

    assert response.status_code == 200
    assert (response.json()["results"], response.json()["next"]) == ([], None)


def test_public_user_who_is_not_an_owner_gets_a_403(public_tenant: Tenant) -> None:
    helper = User.objects.create_user("helper@duka.example", STRONG_PASSWORD, full_name="Helper")
    client = Client(HTTP_HOST=settings.PLATFORM_DOMAIN)
    client.force_login(helper)

    response = client.get(URL)

    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "code": "not_platform_owner",
            "message": "Only platform owners may use the console API.",
            "fields": {},
        }
    }


def test_anonymous_request_is_a_403_not_authenticated(root_client: Client) -> None:
    # Session authentication sends no WWW-Authenticate challenge, so DRF answers 403, not 401.
    response = root_client.get(URL)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_authenticated"


def test_bearer_tokens_are_not_accepted(root_client: Client) -> None:
    # Only the console's session counts: tenant-side JWTs and API keys are never consulted.
    response = root_client.get(URL, HTTP_AUTHORIZATION="Bearer whatever.jwt.token")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_authenticated"


def test_root_domain_documents_the_console_api(root_client: Client) -> None:
    schema = root_client.get(root_path("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert schema.status_code == 200
    assert URL in schema.json()["paths"]
