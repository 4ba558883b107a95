"""Till PINs are set only by the person they belong to; an owner may reset one.

The attack: a manager set a cashier's PIN, signed in as the cashier by PIN and rang up sales
under the cashier's name. Written from the attacker's side: the request, the 4xx, and that the
PIN did not change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from shared_apps.tenants.models import Tenant
from shared_apps.users.models import Role, User
from tenant_apps.staff.services import api_key_create, staff_set_own_pin
from tests.support.people import owner_of
from tests.support.urls import tenant_path

pytestmark = pytest.mark.django_db

JwtClient = Callable[[Tenant, str], Client]
TenantClient = Callable[[Tenant], Client]
CASHIER_PIN = "4821"


def post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(path, body or {}, content_type="application/json")


def pin_login(client: Client, email: str, pin: str) -> Any:
    return post(client, tenant_path("staff:auth-pin-login"), {"email": email, "pin": pin})


def stored_pin(tenant: Tenant, user: User) -> tuple[str, bool]:
    with schema_context(tenant.schema_name):
        fresh = User.objects.get(pk=user.pk)
        return fresh.pin_hash, fresh.pin_reset_required


@pytest.fixture
def cashier(business: Tenant, member: Callable[..., User]) -> User:
    user = member(business, Role.CASHIER)
    with schema_context(business.schema_name):
        staff_set_own_pin(user=user, pin=CASHIER_PIN)
    return user


@pytest.mark.parametrize("role", [Role.MANAGER, Role.OWNER])
def test_nobody_sets_someone_elses_pin(
    business: Tenant,
    member: Callable[..., User],
    cashier: User,
    jwt_client: JwtClient,
    tenant_client: TenantClient,
    role: str,
) -> None:
    boss = owner_of(business) if role == Role.OWNER else member(business, role)
    before = stored_pin(business, cashier)

    response = post(
        jwt_client(business, boss.email),
        tenant_path("staff:staff-pin", user_id=cashier.pk),
        {"pin": "1357"},
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "pin_owner_only"
    assert stored_pin(business, cashier) == before
    assert pin_login(tenant_client(business), cashier.email, "1357").status_code == 401
    assert pin_login(tenant_client(business), cashier.email, CASHIER_PIN).status_code == 200


def test_a_manager_cannot_reset_a_pin(
    business: Tenant,
    member: Callable[..., User],
    cashier: User,
    jwt_client: JwtClient,
    tenant_client: TenantClient,
) -> None:
    manager = member(business, Role.MANAGER)
    before = stored_pin(business, cashier)

    staff_pin_reset_path = tenant_path("staff:staff-pin-reset", user_id=cashier.pk)
    response = post(jwt_client(business, manager.email), staff_pin_reset_path)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "owner_only"
    assert stored_pin(business, cashier) == before
    assert pin_login(tenant_client(business), cashier.email, CASHIER_PIN).status_code == 200


def test_a_cashier_cannot_reset_a_pin(
    business: Tenant,
    member: Callable[..., User],
    cashier: User,
    jwt_client: JwtClient,
) -> None:
    colleague = member(business, Role.CASHIER)
    before = stored_pin(business, cashier)

    staff_pin_reset_path = tenant_path("staff:staff-pin-reset", user_id=cashier.pk)
    response = post(jwt_client(business, colleague.email), staff_pin_reset_path)

    assert response.status_code == 403
    assert stored_pin(business, cashier) == before


def test_an_api_key_can_neither_set_nor_reset_a_pin(
    business: Tenant, cashier: User, tenant_client: TenantClient
) -> None:
    with schema_context(business.schema_name):
        issued = api_key_create(actor=owner_of(business), name="till sync", scopes=["sales:write"])
    client = tenant_client(business)
    client.defaults["HTTP_AUTHORIZATION"] = f"Api-Key {issued.key}"
    before = stored_pin(business, cashier)

    set_pin = post(client, tenant_path("staff:staff-pin", user_id=cashier.pk), {"pin": "1357"})
    reset = post(client, tenant_path("staff:staff-pin-reset", user_id=cashier.pk))

    assert (set_pin.status_code, reset.status_code) == (403, 403)
    assert stored_pin(business, cashier) == before


def test_an_owners_reset_stops_the_old_pin_and_ends_its_sessions(
    business: Tenant, cashier: User, jwt_client: JwtClient, tenant_client: TenantClient
) -> None:
    # someone holding the old PIN signed in as the cashier before the reset
    stolen = pin_login(tenant_client(business), cashier.email, CASHIER_PIN).json()

    reset = post(
        jwt_client(business, business.owner_email),
        tenant_path("staff:staff-pin-reset", user_id=cashier.pk),
    )

    assert reset.status_code == 200
    assert reset.json()["has_pin"] is False
    assert reset.json()["pin_reset_required"] is True
    assert stored_pin(business, cashier) == ("", True)
    refused = pin_login(tenant_client(business), cashier.email, CASHIER_PIN)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "pin_reset_required"
    renewed = post(
        tenant_client(business), tenant_path("staff:token-refresh"), {"refresh": stolen["refresh"]}
    )
    assert renewed.status_code == 401


def test_a_pin_sign_in_cannot_choose_a_pin(
    business: Tenant, cashier: User, tenant_client: TenantClient
) -> None:
    # a PIN token (or one refreshed from it) must not replace a PIN: that would undo a reset
    tokens = pin_login(tenant_client(business), cashier.email, CASHIER_PIN).json()
    client = tenant_client(business)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {tokens['access']}"
    before = stored_pin(business, cashier)

    response = post(client, tenant_path("staff:staff-pin", user_id=cashier.pk), {"pin": "1357"})

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "password_login_required"
    assert stored_pin(business, cashier) == before


def test_after_a_reset_the_person_chooses_a_new_pin_after_a_password_sign_in(
    business: Tenant, cashier: User, jwt_client: JwtClient, tenant_client: TenantClient
) -> None:
    staff_pin_reset_path = tenant_path("staff:staff-pin-reset", user_id=cashier.pk)
    post(jwt_client(business, business.owner_email), staff_pin_reset_path)
    own = jwt_client(business, cashier.email)  # a password login
    assert own.get(tenant_path("staff:current-user-detail")).json()["pin_reset_required"] is True

    response = post(own, tenant_path("staff:staff-pin", user_id=cashier.pk), {"pin": "1357"})

    assert response.status_code == 204
    assert stored_pin(business, cashier)[1] is False
    assert pin_login(tenant_client(business), cashier.email, "1357").status_code == 200
    assert pin_login(tenant_client(business), cashier.email, CASHIER_PIN).status_code == 401


def test_resetting_an_unknown_member_is_a_404(business: Tenant, jwt_client: JwtClient) -> None:
    staff_pin_reset_path = tenant_path("staff:staff-pin-reset", user_id=99999)
    response = post(jwt_client(business, business.owner_email), staff_pin_reset_path)

    assert response.status_code == 404
