"""Who gets into the console: platform owners of the public schema, and nobody else."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client
from django_tenants.utils import schema_context

from saas_platform.tenancy import use_public_schema
from shared_apps.console.access import is_platform_owner
from shared_apps.tenants.models import Tenant
from shared_apps.users.models import User
from tests.console.conftest import OWNER_EMAIL
from tests.support.tenants import STRONG_PASSWORD
from tests.support.urls import root_path, tenant_path

pytestmark = pytest.mark.django_db

LOGIN = root_path("console:login")


def root() -> Client:
    return Client(HTTP_HOST=settings.PLATFORM_DOMAIN)


def assert_not_logged_in(client: Client) -> None:
    response = client.get(root_path("console:tenant-list"))
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/console/"


def test_platform_owner_logs_in_and_reaches_the_console(platform_owner: User) -> None:
    client = root()

    response = client.post(LOGIN, {"username": OWNER_EMAIL, "password": STRONG_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/console/"
    page = client.get(root_path("console:tenant-list"))
    assert page.status_code == 200
    assert b"Businesses" in page.content


def test_login_returns_to_the_page_asked_for(platform_owner: User) -> None:
    client = root()

    response = client.post(
        LOGIN,
        {
            "username": OWNER_EMAIL,
            "password": STRONG_PASSWORD,
            "next": root_path("console:tenant-list") + "?status=active",
        },
    )

    assert response["Location"] == "/console/?status=active"


def test_login_refuses_a_redirect_to_another_host(platform_owner: User) -> None:
    response = root().post(
        LOGIN,
        {"username": OWNER_EMAIL, "password": STRONG_PASSWORD, "next": "https://evil.example/"},
    )

    assert response["Location"] == "/console/"


def test_wrong_password_is_refused(platform_owner: User) -> None:
    client = root()

    response = client.post(LOGIN, {"username": OWNER_EMAIL, "password": "not-the-password"})

    assert response.status_code == 200
    assert b"Please enter a correct" in response.content
    assert_not_logged_in(client)


def test_tenant_owner_credentials_are_refused(make_tenant: Callable[..., Tenant]) -> None:
    # given a business whose owner has a real account, in the business's own schema
    tenant = make_tenant()
    use_public_schema()

    # when the owner tries those credentials on the console
    client = root()
    response = client.post(LOGIN, {"username": tenant.owner_email, "password": STRONG_PASSWORD})

    # then the public schema knows no such account
    assert response.status_code == 200
    assert b"Please enter a correct" in response.content
    assert_not_logged_in(client)


def test_tenant_user_flagged_as_platform_owner_in_its_own_schema_is_refused(
    make_tenant: Callable[..., Tenant],
) -> None:
    # given a business that set the flag on one of its own users (it controls its rows)
    tenant = make_tenant()
    with schema_context(tenant.schema_name):
        User.objects.filter(email=tenant.owner_email).update(
            is_platform_owner=True, is_staff=True, is_superuser=True
        )
        flagged = User.objects.get(email=tenant.owner_email)
        # then the flag means nothing outside the public schema
        assert not is_platform_owner(flagged)
    use_public_schema()

    client = root()
    response = client.post(LOGIN, {"username": tenant.owner_email, "password": STRONG_PASSWORD})

    assert response.status_code == 200
    assert_not_logged_in(client)


def test_public_user_who_is_not_a_platform_owner_is_refused(public_tenant: Tenant) -> None:
    User.objects.create_user("helper@duka.example", STRONG_PASSWORD, full_name="Helper")
    client = root()

    response = client.post(LOGIN, {"username": "helper@duka.example", "password": STRONG_PASSWORD})

    assert response.status_code == 200
    assert b"may not use the platform console" in response.content
    assert_not_logged_in(client)


def test_deactivated_platform_owner_is_refused(platform_owner: User) -> None:
    platform_owner.is_active = False
    platform_owner.save(update_fields=["is_active"])
    client = root()

    response = client.post(LOGIN, {"username": OWNER_EMAIL, "password": STRONG_PASSWORD})

    assert response.status_code == 200
    assert_not_logged_in(client)


def test_tenant_session_cookie_replayed_on_the_root_domain_grants_nothing(
    make_tenant: Callable[..., Tenant],
    tenant_client: Callable[[Tenant], Client],
    platform_owner: User,
) -> None:
    # given a business owner logged in at their own host
    tenant = make_tenant()
    shop = tenant_client(tenant)
    login_path = tenant_path("terminal:login")
    login = shop.post(login_path, {"username": tenant.owner_email, "password": STRONG_PASSWORD})
    assert login.status_code == 302
    stolen = shop.cookies["sessionid"].value

    # when that session cookie is replayed on the root domain
    attacker = root()
    attacker.cookies["sessionid"] = stolen
    page = attacker.get(root_path("console:tenant-list"))
    api = attacker.get(root_path("console-api:tenant-list"))

    # then the public schema does not know the session
    assert page.status_code == 302
    assert page["Location"].startswith(LOGIN)
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "not_authenticated"


def test_console_session_cookie_replayed_at_a_business_grants_nothing(
    make_tenant: Callable[..., Tenant],
    tenant_client: Callable[[Tenant], Client],
    owner_client: Client,
) -> None:
    tenant = make_tenant()
    stolen = owner_client.cookies["sessionid"].value

    attacker = tenant_client(tenant)
    attacker.cookies["sessionid"] = stolen
    response = attacker.get(tenant_path("inventory:location-list"))

    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "not_authenticated"


def test_console_is_not_served_on_business_hosts(
    make_tenant: Callable[..., Tenant], tenant_client: Callable[[Tenant], Client]
) -> None:
    client = tenant_client(make_tenant())

    assert client.get(root_path("console:tenant-list")).status_code == 404
    assert client.get(LOGIN).status_code == 404
    assert client.get(root_path("console-api:tenant-list")).status_code == 404


def test_anonymous_visitor_is_sent_to_the_login_page(root_client: Client) -> None:
    response = root_client.get(root_path("console:tenant-detail", slug="anything"))

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/console/tenants/anything/"


def test_logged_in_non_owner_gets_a_403(public_tenant: Tenant) -> None:
    helper = User.objects.create_user("helper@duka.example", STRONG_PASSWORD, full_name="Helper")
    client = root()
    client.force_login(helper)

    response = client.get(root_path("console:tenant-list"))

    assert response.status_code == 403
    assert b"not a platform owner" in response.content


def test_owner_who_loses_the_flag_loses_access_at_once(
    owner_client: Client, platform_owner: User
) -> None:
    assert owner_client.get(root_path("console:tenant-list")).status_code == 200

    platform_owner.is_platform_owner = False
    platform_owner.save(update_fields=["is_platform_owner"])

    assert owner_client.get(root_path("console:tenant-list")).status_code == 403


def test_logout_ends_the_session(owner_client: Client) -> None:
    response = owner_client.post(root_path("console:logout"))

    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert_not_logged_in(owner_client)


def test_logout_needs_a_post(owner_client: Client) -> None:
    assert owner_client.get(root_path("console:logout")).status_code == 405
    assert owner_client.get(root_path("console:tenant-list")).status_code == 200


def test_login_form_enforces_csrf(platform_owner: User) -> None:
    client = Client(HTTP_HOST=settings.PLATFORM_DOMAIN, enforce_csrf_checks=True)

    response = client.post(LOGIN, {"username": OWNER_EMAIL, "password": STRONG_PASSWORD})

    assert response.status_code == 403
    assert_not_logged_in(client)


def test_console_login_locks_out_after_repeated_failures(platform_owner: User) -> None:
    from shared_apps.users import lockout

    client = Client(HTTP_HOST="localhost")
    for _ in range(lockout.ACCOUNT_FREE_ATTEMPTS):
        client.post(root_path("console:login"), {"username": OWNER_EMAIL, "password": "wrong"})

    login_path = root_path("console:login")
    locked = client.post(login_path, {"username": OWNER_EMAIL, "password": STRONG_PASSWORD})

    assert locked.status_code == 429  # the form again, with the lockout message
    assert 1 <= int(locked["Retry-After"]) <= lockout.BASE_LOCK_SECONDS
    assert b"Too many failed attempts" in locked.content
    assert "_auth_user_id" not in client.session
