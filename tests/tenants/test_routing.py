"""Host-name routing: each business sees only its own schema; the root domain is the platform."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from shared_apps.tenants.models import Tenant, TenantStatus
from shared_apps.tenants.services import tenant_set_status
from shared_apps.users.models import User
from tenant_apps.inventory.models import Location
from tests.support.urls import root_path, tenant_path

pytestmark = pytest.mark.django_db


def logged_in(client: Client, tenant: Tenant) -> Client:
    with schema_context(tenant.schema_name):
        client.force_login(User.objects.get(email=tenant.owner_email))
    return client


def test_each_business_sees_only_its_own_rows(
    make_tenant: Callable[..., Tenant], tenant_client: Callable[[Tenant], Client]
) -> None:
    # given two businesses, one of which has an extra location
    alpha, beta = make_tenant(slug="alpha-shop"), make_tenant(slug="beta-shop")
    with schema_context(alpha.schema_name):
        Location.objects.create(code="KIOSK", name="Alpha kiosk", kind="storefront")

    # when each lists its locations on its own host
    alpha_codes = [
        row["code"]
        for row in logged_in(tenant_client(alpha), alpha)
        .get(tenant_path("inventory:location-list"))
        .json()["results"]
    ]
    beta_codes = [
        row["code"]
        for row in logged_in(tenant_client(beta), beta)
        .get(tenant_path("inventory:location-list"))
        .json()["results"]
    ]

    # then each sees its own rows only
    assert alpha_codes == ["KIOSK", "STORE", "WH"]
    assert beta_codes == ["STORE", "WH"]


def test_business_endpoint_names_the_business_of_the_host(
    make_tenant: Callable[..., Tenant], tenant_client: Callable[[Tenant], Client]
) -> None:
    alpha, beta = make_tenant(business_name="Alpha"), make_tenant(business_name="Beta")

    business = tenant_path("tenants:business-detail")
    assert tenant_client(alpha).get(business).json()["name"] == "Alpha"
    assert tenant_client(beta).get(business).json()["name"] == "Beta"


def test_a_session_of_one_business_is_not_valid_at_another(
    make_tenant: Callable[..., Tenant], tenant_client: Callable[[Tenant], Client]
) -> None:
    # given an owner logged in at alpha
    alpha, beta = make_tenant(slug="alpha-two"), make_tenant(slug="beta-two")
    alpha_client = logged_in(tenant_client(alpha), alpha)
    session_cookie = alpha_client.cookies["sessionid"].value

    # when the same session cookie is replayed at beta
    attacker = tenant_client(beta)
    attacker.cookies["sessionid"] = session_cookie
    response = attacker.get(tenant_path("inventory:location-list"))

    # then beta does not know that session
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_anonymous_api_request_is_refused(
    make_tenant: Callable[..., Tenant], tenant_client: Callable[[Tenant], Client]
) -> None:
    response = tenant_client(make_tenant()).get(tenant_path("inventory:location-list"))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_root_domain_serves_the_public_site(root_client: Client) -> None:
    landing = root_client.get(root_path("tenants:landing"))
    signup_page = root_client.get(root_path("tenants:signup"))

    assert landing.status_code == 200
    assert b"Create your business account" in landing.content
    assert signup_page.status_code == 200


def test_root_domain_has_no_business_endpoints(root_client: Client) -> None:
    response = root_client.get(tenant_path("inventory:location-list"))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("host", ["nobody.localhost", "nobody.localhost:8000", "a.b.localhost"])
def test_unknown_host_is_a_404(public_tenant: Tenant, host: str) -> None:
    client = Client(HTTP_HOST=host)

    api = client.get(tenant_path("tenants:business-detail"))
    page = client.get(tenant_path("terminal:home"))

    assert api.status_code == 404
    assert api.json()["error"]["code"] == "unknown_host"
    assert page.status_code == 404
    assert b"No business here" in page.content


def test_host_outside_the_platform_domain_is_a_404(public_tenant: Tenant) -> None:
    response = Client(HTTP_HOST="evil.example.com").get(tenant_path("tenants:business-detail"))

    assert response.status_code == 404


@pytest.mark.parametrize("status", [TenantStatus.SUSPENDED, TenantStatus.CANCELLED])
def test_blocked_business_is_refused(
    make_tenant: Callable[..., Tenant],
    tenant_client: Callable[[Tenant], Client],
    status: str,
) -> None:
    tenant = make_tenant(business_name="Closed Shop")
    client = logged_in(tenant_client(tenant), tenant)
    tenant_set_status(tenant=tenant, status=status, reason="unpaid invoices")

    api = client.get(tenant_path("inventory:location-list"))
    page = client.get(tenant_path("terminal:home"), HTTP_ACCEPT="text/html")

    assert api.status_code == 403
    error = api.json()["error"]
    assert error["code"] == f"tenant_{status}"
    assert "Closed Shop" in error["message"]
    assert page.status_code == 403
    assert page["Content-Type"].startswith("text/html")
    assert b"Closed Shop is unavailable" in page.content


@pytest.mark.parametrize("status", [TenantStatus.TRIALING, TenantStatus.ACTIVE, "past_due"])
def test_usable_statuses_are_served(
    make_tenant: Callable[..., Tenant], tenant_client: Callable[[Tenant], Client], status: str
) -> None:
    tenant = make_tenant()
    tenant_set_status(tenant=tenant, status=status)

    assert tenant_client(tenant).get(tenant_path("tenants:business-detail")).status_code == 200


def test_reactivated_business_is_served_again(
    make_tenant: Callable[..., Tenant], tenant_client: Callable[[Tenant], Client]
) -> None:
    tenant = make_tenant()
    tenant_set_status(tenant=tenant, status=TenantStatus.SUSPENDED, reason="fraud check")
    tenant_set_status(tenant=tenant, status=TenantStatus.ACTIVE)

    assert tenant_client(tenant).get(tenant_path("tenants:business-detail")).status_code == 200


def test_unknown_status_is_refused(make_tenant: Callable[..., Tenant]) -> None:
    from saas_platform.errors import ValidationFailed

    tenant = make_tenant()

    with pytest.raises(ValidationFailed):
        tenant_set_status(tenant=tenant, status="frozen")
    tenant.refresh_from_db()
    assert tenant.status == TenantStatus.TRIALING


def test_login_page_and_home_page_work_end_to_end(
    make_tenant: Callable[..., Tenant], tenant_client: Callable[[Tenant], Client]
) -> None:
    from tests.support.tenants import STRONG_PASSWORD

    tenant = make_tenant(business_name="Kibanda")
    client = tenant_client(tenant)

    assert client.get(tenant_path("terminal:home")).status_code == 302  # to the login page
    login_path = tenant_path("terminal:login")
    login = client.post(login_path, {"username": tenant.owner_email, "password": STRONG_PASSWORD})
    home = client.get(tenant_path("terminal:home"))

    assert login.status_code == 302
    assert home.status_code == 200
    assert b"Main store" in home.content


def test_wrong_password_does_not_log_in(
    make_tenant: Callable[..., Tenant], tenant_client: Callable[[Tenant], Client]
) -> None:
    tenant = make_tenant()
    client = tenant_client(tenant)

    login_path = tenant_path("terminal:login")
    response = client.post(login_path, {"username": tenant.owner_email, "password": "nope"})

    assert response.status_code == 200
    assert client.get(tenant_path("terminal:home")).status_code == 302


def test_owner_of_one_business_cannot_log_in_at_another(
    make_tenant: Callable[..., Tenant], tenant_client: Callable[[Tenant], Client]
) -> None:
    from tests.support.tenants import STRONG_PASSWORD

    alpha, beta = make_tenant(), make_tenant()
    client = tenant_client(beta)

    login_path = tenant_path("terminal:login")
    client.post(login_path, {"username": alpha.owner_email, "password": STRONG_PASSWORD})

    assert client.get(tenant_path("terminal:home")).status_code == 302
