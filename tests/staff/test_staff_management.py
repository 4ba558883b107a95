"""Adding, inviting, promoting and deactivating staff; the last owner is protected."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import connections
from django.test import Client
from django_tenants.utils import schema_context

from saas_platform.errors import Conflict
from shared_apps.tenants.models import Tenant
from shared_apps.users.models import Role, User
from tenant_apps.staff.services import staff_set_active, staff_update
from tests.support.people import login, owner_of
from tests.support.urls import tenant_path

pytestmark = pytest.mark.django_db

JwtClient = Callable[[Tenant, str], Client]


def post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(path, body or {}, content_type="application/json")


def patch(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.patch(path, body, content_type="application/json")


def staff_rows(tenant: Tenant) -> list[tuple[str, str, bool]]:
    with schema_context(tenant.schema_name):
        return list(User.objects.order_by("email").values_list("email", "role", "is_active"))


def test_owner_adds_a_cashier_with_a_password_who_can_then_log_in(
    business: Tenant, jwt_client: JwtClient, tenant_client: Callable[[Tenant], Client]
) -> None:
    client = jwt_client(business, business.owner_email)

    response = post(
        client,
        tenant_path("staff:staff-list"),
        {
            "email": "Jane.Cashier@Example.com",
            "full_name": "Jane",
            "role": "cashier",
            "password": "Till-Password-2026",
        },
    )

    assert response.status_code == 201
    assert response.json()["email"] == "jane.cashier@example.com"
    assert response.json()["role"] == "cashier"
    assert (
        login(tenant_client(business), "jane.cashier@example.com", "Till-Password-2026").status_code
        == 200
    )


def test_staff_added_without_a_password_gets_an_invitation(
    business: Tenant, jwt_client: JwtClient, django_capture_on_commit_callbacks: Any
) -> None:
    client = jwt_client(business, business.owner_email)

    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client,
            tenant_path("staff:staff-list"),
            {"email": "stock@example.com", "full_name": "Stock Keeper", "role": "warehouse"},
        )

    assert response.status_code == 201
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["stock@example.com"]
    assert f"http://{business.slug}.localhost:8000/password-reset/confirm/" in str(
        mail.outbox[0].body
    )


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"email": "x@example.com", "full_name": "X", "role": "boss"}, "role", "invalid_choice"),
        ({"email": "not-mail", "full_name": "X", "role": "cashier"}, "email", "invalid"),
        (
            {"email": "x@example.com", "full_name": "X", "role": "cashier", "password": "123"},
            "password",
            "password_too_short",
        ),
    ],
)
def test_bad_staff_input_is_refused_and_nothing_is_added(
    business: Tenant, jwt_client: JwtClient, body: dict[str, Any], field: str, code: str
) -> None:
    before = staff_rows(business)

    staff_list_path = tenant_path("staff:staff-list")
    response = post(jwt_client(business, business.owner_email), staff_list_path, body)

    assert response.status_code == 400
    assert code in [e["code"] for e in response.json()["error"]["fields"][field]]
    assert staff_rows(business) == before


def test_duplicate_email_is_a_conflict(business: Tenant, jwt_client: JwtClient) -> None:
    response = post(
        jwt_client(business, business.owner_email),
        tenant_path("staff:staff-list"),
        {"email": business.owner_email.upper(), "full_name": "Copy", "role": "cashier"},
    )

    assert response.status_code == 409
    assert response.json()["error"]["fields"]["email"][0]["code"] == "email_taken"


def test_manager_cannot_create_or_promote_owners_or_managers(
    business: Tenant, member: Callable[..., User], jwt_client: JwtClient
) -> None:
    manager = member(business, Role.MANAGER)
    cashier = member(business, Role.CASHIER)
    client = jwt_client(business, manager.email)
    before = staff_rows(business)

    create = post(
        client,
        tenant_path("staff:staff-list"),
        {"email": "o@example.com", "full_name": "O", "role": "owner"},
    )
    the_cashier = tenant_path("staff:staff-detail", user_id=cashier.pk)
    promote = patch(client, the_cashier, {"role": "manager"})
    the_owner = tenant_path("staff:staff-detail", user_id=owner_of(business).pk)
    demote_owner = patch(client, the_owner, {"role": "cashier"})

    for response in (create, promote, demote_owner):
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "owner_only"
    assert staff_rows(business) == before


def test_owner_changes_a_role_and_the_new_rights_apply(
    business: Tenant, member: Callable[..., User], jwt_client: JwtClient
) -> None:
    cashier = member(business, Role.CASHIER)

    response = patch(
        jwt_client(business, business.owner_email),
        tenant_path("staff:staff-detail", user_id=cashier.pk),
        {"role": "manager"},
    )

    assert response.status_code == 200
    staff_list_path = tenant_path("staff:staff-list")
    assert jwt_client(business, cashier.email).get(staff_list_path).status_code == 200


def test_the_last_owner_can_be_neither_demoted_nor_deactivated(
    business: Tenant, jwt_client: JwtClient
) -> None:
    owner = owner_of(business)
    client = jwt_client(business, business.owner_email)

    demote = patch(client, tenant_path("staff:staff-detail", user_id=owner.pk), {"role": "manager"})
    deactivate = post(client, tenant_path("staff:staff-deactivate", user_id=owner.pk))

    for response in (demote, deactivate):
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "last_owner"
    assert staff_rows(business) == [(business.owner_email, "owner", True)]


def test_with_two_owners_one_may_step_down(
    business: Tenant, member: Callable[..., User], jwt_client: JwtClient
) -> None:
    second = member(business, Role.OWNER)

    response = patch(
        jwt_client(business, business.owner_email),
        tenant_path("staff:staff-detail", user_id=second.pk),
        {"role": "analyst"},
    )

    assert response.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_two_owners_demoting_each_other_at_once_leave_one_owner(
    make_tenant: Callable[..., Tenant], member: Callable[..., User]
) -> None:
    business = make_tenant()
    first, second = owner_of(business), member(business, Role.OWNER)
    barrier = threading.Barrier(2)
    outcomes: list[Any] = []

    def demote(actor: User, target: User) -> None:
        barrier.wait()
        try:
            with schema_context(business.schema_name):
                staff_update(actor=actor, user_id=target.pk, role=Role.CASHIER)
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(exc.code)
        except Exception as exc:
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=demote, args=(first, second)),
        threading.Thread(target=demote, args=(second, first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["last_owner", "ok"]
    with schema_context(business.schema_name):
        assert User.objects.filter(role=Role.OWNER, is_active=True).count() == 1


def test_deactivated_staff_cannot_log_in_and_can_be_reactivated(
    business: Tenant,
    member: Callable[..., User],
    jwt_client: JwtClient,
    tenant_client: Callable[[Tenant], Client],
) -> None:
    cashier = member(business, Role.CASHIER)
    client = jwt_client(business, business.owner_email)

    staff_deactivate_path = tenant_path("staff:staff-deactivate", user_id=cashier.pk)
    assert post(client, staff_deactivate_path).json()["is_active"] is False
    assert login(tenant_client(business), cashier.email).status_code == 401
    staff_reactivate_path = tenant_path("staff:staff-reactivate", user_id=cashier.pk)
    assert post(client, staff_reactivate_path).json()["is_active"] is True
    assert login(tenant_client(business), cashier.email).status_code == 200


def test_unknown_staff_member_is_404(business: Tenant, jwt_client: JwtClient) -> None:
    response = patch(
        jwt_client(business, business.owner_email),
        tenant_path("staff:staff-detail", user_id=99999),
        {"full_name": "X"},
    )

    assert response.status_code == 404


@pytest.mark.parametrize("pin", ["12", "1234567", "12a4", "1111"])
def test_bad_pins_are_refused(business: Tenant, jwt_client: JwtClient, pin: str) -> None:
    owner = owner_of(business)

    response = post(
        jwt_client(business, business.owner_email),
        tenant_path("staff:staff-pin", user_id=owner.pk),
        {"pin": pin},
    )

    assert response.status_code == 400
    with schema_context(business.schema_name):
        assert User.objects.get(pk=owner.pk).pin_hash == ""


def test_pin_is_stored_hashed_and_cashiers_set_only_their_own(
    business: Tenant, member: Callable[..., User], jwt_client: JwtClient
) -> None:
    cashier, colleague = member(business, Role.CASHIER), member(business, Role.CASHIER)
    client = jwt_client(business, cashier.email)

    own = post(client, tenant_path("staff:staff-pin", user_id=cashier.pk), {"pin": "2580"})
    other = post(client, tenant_path("staff:staff-pin", user_id=colleague.pk), {"pin": "2580"})

    assert own.status_code == 204
    assert other.status_code == 403
    with schema_context(business.schema_name):
        stored = User.objects.get(pk=cashier.pk).pin_hash
        assert stored and "2580" not in stored
        assert User.objects.get(pk=colleague.pk).pin_hash == ""


def test_deactivating_through_the_service_refuses_the_last_owner(business: Tenant) -> None:
    owner = owner_of(business)

    with schema_context(business.schema_name), pytest.raises(Conflict):
        staff_set_active(actor=owner, user_id=owner.pk, active=False)
