"""Login, tokens bound to their business, logout, refresh, password change and reset."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from shared_apps.tenants.models import Tenant
from shared_apps.users.models import User
from tests.support.people import login
from tests.support.tenants import STRONG_PASSWORD
from tests.support.urls import tenant_path

pytestmark = pytest.mark.django_db

TenantClient = Callable[[Tenant], Client]


def post(client: Client, path: str, body: dict[str, Any], **extra: Any) -> Any:
    return client.post(path, body, content_type="application/json", **extra)


def test_login_returns_tokens_and_the_user_with_role_and_actions(
    business: Tenant, tenant_client: TenantClient
) -> None:
    response = login(tenant_client(business), business.owner_email)

    assert response.status_code == 200
    body = response.json()
    assert body["access"] and body["refresh"]
    assert body["user"]["email"] == business.owner_email
    assert body["user"]["role"] == "owner"
    assert "staff.manage" in body["user"]["allowed_actions"]


def test_access_token_works_on_its_own_host(
    business: Tenant, jwt_client: Callable[[Tenant, str], Client]
) -> None:
    client = jwt_client(business, business.owner_email)

    response = client.get(tenant_path("staff:current-user-detail"))

    assert response.status_code == 200
    assert response.json()["role"] == "owner"


def test_wrong_password_is_401_with_a_clear_code(
    business: Tenant, tenant_client: TenantClient
) -> None:
    response = login(tenant_client(business), business.owner_email, "not-the-password")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_anonymous_request_is_401(business: Tenant, tenant_client: TenantClient) -> None:
    response = tenant_client(business).get(tenant_path("staff:current-user-detail"))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_token_replayed_at_another_business_with_the_same_user_id_is_refused(
    make_tenant: Callable[..., Tenant], tenant_client: TenantClient
) -> None:
    # given two businesses, each with a user of the same id in its own schema
    alpha, beta = make_tenant(), make_tenant()
    with schema_context(alpha.schema_name):
        alpha_owner_id = User.objects.get().pk
    with schema_context(beta.schema_name):
        if not User.objects.filter(pk=alpha_owner_id).exists():
            User.objects.create_user("twin@example.com", "x", full_name="Twin", pk=alpha_owner_id)
        assert User.objects.filter(pk=alpha_owner_id, is_active=True).exists()
    tokens = login(tenant_client(alpha), alpha.owner_email).json()

    # when alpha's tokens are used at beta
    access = tenant_client(beta).get(
        tenant_path("staff:current-user-detail"), HTTP_AUTHORIZATION=f"Bearer {tokens['access']}"
    )
    refresh = post(
        tenant_client(beta), tenant_path("staff:token-refresh"), {"refresh": tokens["refresh"]}
    )
    auth_logout_path = tenant_path("staff:auth-logout")
    logout = post(tenant_client(beta), auth_logout_path, {"refresh": tokens["refresh"]})

    # then beta refuses them all
    for response in (access, refresh, logout):
        assert response.status_code == 401, response.content
        assert response.json()["error"]["code"] == "token_wrong_tenant"


def test_tampered_schema_claim_is_refused(business: Tenant, tenant_client: TenantClient) -> None:
    import jwt as pyjwt

    tokens = login(tenant_client(business), business.owner_email).json()
    claims = pyjwt.decode(tokens["access"], options={"verify_signature": False})
    claims["schema"] = "t_someone_else"
    forged = pyjwt.encode(claims, "an-attacker-guess-at-the-signing-key-0123", algorithm="HS256")

    response = tenant_client(business).get(
        tenant_path("staff:current-user-detail"), HTTP_AUTHORIZATION=f"Bearer {forged}"
    )

    assert response.status_code == 401


def test_refresh_rotates_and_logout_blacklists(
    business: Tenant, tenant_client: TenantClient
) -> None:
    client = tenant_client(business)
    first = login(client, business.owner_email).json()

    rotated = post(client, tenant_path("staff:token-refresh"), {"refresh": first["refresh"]})
    reused = post(client, tenant_path("staff:token-refresh"), {"refresh": first["refresh"]})
    logout = post(client, tenant_path("staff:auth-logout"), {"refresh": rotated.json()["refresh"]})
    after_logout = post(
        client, tenant_path("staff:token-refresh"), {"refresh": rotated.json()["refresh"]}
    )

    assert rotated.status_code == 200
    assert rotated.json()["access"]
    assert reused.status_code == 401  # the old refresh token was blacklisted by the rotation
    assert logout.status_code == 200
    assert after_logout.status_code == 401


def test_deactivated_users_tokens_stop_working(
    business: Tenant, member: Callable[..., User], jwt_client: Callable[[Tenant, str], Client]
) -> None:
    cashier = member(business, "cashier")
    client = jwt_client(business, cashier.email)
    with schema_context(business.schema_name):
        User.objects.filter(pk=cashier.pk).update(is_active=False)

    assert client.get(tenant_path("staff:current-user-detail")).status_code == 401


def test_password_change_needs_the_old_password(
    business: Tenant, jwt_client: Callable[[Tenant, str], Client], tenant_client: TenantClient
) -> None:
    client = jwt_client(business, business.owner_email)
    new = "Another-Strong-Pass-77"

    wrong_old = post(
        client,
        tenant_path("staff:password-change"),
        {"old_password": "nope", "new_password1": new, "new_password2": new},
    )
    changed = post(
        client,
        tenant_path("staff:password-change"),
        {"old_password": STRONG_PASSWORD, "new_password1": new, "new_password2": new},
    )

    assert wrong_old.status_code == 400
    assert changed.status_code == 200
    assert login(tenant_client(business), business.owner_email, new).status_code == 200
    assert login(tenant_client(business), business.owner_email).status_code == 401


def test_password_reset_mails_a_link_to_the_business_host_that_sets_a_new_password(
    business: Tenant, tenant_client: TenantClient
) -> None:
    client = tenant_client(business)

    response = post(client, tenant_path("staff:password-reset"), {"email": business.owner_email})

    assert response.status_code == 200
    assert len(mail.outbox) == 1
    body = str(mail.outbox[0].body)
    link = re.search(r"https?://[^/\s]+(/password-reset/confirm/\S+/)", body)
    assert link, mail.outbox[0].body
    assert f"{business.slug}.localhost" in mail.outbox[0].body
    page = client.get(link.group(1), follow=True)
    new = "Reset-Password-Works-5"
    done = client.post(page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert login(tenant_client(business), business.owner_email, new).status_code == 200


def test_password_reset_for_an_unknown_address_sends_nothing(
    business: Tenant, tenant_client: TenantClient
) -> None:
    response = post(
        tenant_client(business),
        tenant_path("staff:password-reset"),
        {"email": "nobody@example.com"},
    )

    assert response.status_code == 200  # no hint whether the address exists
    assert mail.outbox == []
