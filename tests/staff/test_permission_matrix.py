"""Every role against every protected endpoint: allowed → 2xx, forbidden → 403, anonymous → 401."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from shared_apps.tenants.models import Tenant
from shared_apps.users.models import Role, User
from tenant_apps.staff.access import ROLE_ACTIONS, Action
from tests.support.urls import tenant_path

pytestmark = pytest.mark.django_db

# (method, route, body, action that guards it); routes of one staff member ask about another.
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None, Action | None]] = [
    ("get", "staff:current-user-detail", None, None),
    ("get", "inventory:location-list", None, Action.INVENTORY_VIEW),
    ("get", "staff:staff-list", None, Action.STAFF_VIEW),
    ("get", "staff:staff-detail", None, Action.STAFF_VIEW),
    (
        "post",
        "staff:staff-list",
        {"email": "new.hire@example.com", "full_name": "New Hire", "role": "cashier"},
        Action.STAFF_MANAGE,
    ),
    ("patch", "staff:staff-detail", {"full_name": "Renamed"}, Action.STAFF_MANAGE),
    ("post", "staff:staff-deactivate", None, Action.STAFF_MANAGE),
    ("get", "staff:api-key-list", None, Action.API_KEYS_MANAGE),
    (
        "post",
        "staff:api-key-list",
        {"name": "Shop", "scopes": ["catalog:read"]},
        Action.API_KEYS_MANAGE,
    ),
]
OF_A_MEMBER = {"staff:staff-detail", "staff:staff-deactivate"}

CASES = [
    pytest.param(role, method, route, body, action, id=f"{role}-{method}-{route}")
    for role in Role.values
    for method, route, body, action in ENDPOINTS
]


def path_of(route: str, other: User) -> str:
    return tenant_path(route, user_id=other.pk) if route in OF_A_MEMBER else tenant_path(route)


def call(client: Client, method: str, path: str, body: dict[str, Any] | None) -> Any:
    if method == "get":
        return client.get(path)
    return getattr(client, method)(path, body or {}, content_type="application/json")


@pytest.mark.parametrize(("role", "method", "route", "body", "action"), CASES)
def test_role_against_endpoint(
    business: Tenant,
    member: Callable[..., User],
    jwt_client: Callable[[Tenant, str], Client],
    role: str,
    method: str,
    route: str,
    body: dict[str, Any] | None,
    action: Action | None,
) -> None:
    actor = business.owner_email if role == Role.OWNER else member(business, role).email
    other = member(business, Role.ANALYST)
    client = jwt_client(business, actor)

    path = path_of(route, other)
    response = call(client, method, path, body)

    allowed = action is None or action in ROLE_ACTIONS[role]
    if allowed:
        assert 200 <= response.status_code < 300, (role, path, response.content)
    else:
        assert response.status_code == 403, (role, path, response.content)
        assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize(("method", "route", "body", "action"), ENDPOINTS)
def test_anonymous_is_401_everywhere(
    business: Tenant,
    member: Callable[..., User],
    tenant_client: Callable[[Tenant], Client],
    method: str,
    route: str,
    body: dict[str, Any] | None,
    action: Action | None,
) -> None:
    other = member(business, Role.ANALYST)

    response = call(tenant_client(business), method, path_of(route, other), body)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_user_endpoint_lists_exactly_the_roles_actions(
    business: Tenant, member: Callable[..., User], jwt_client: Callable[[Tenant, str], Client]
) -> None:
    cashier = member(business, Role.CASHIER)

    body = jwt_client(business, cashier.email).get(tenant_path("staff:current-user-detail")).json()

    assert body["allowed_actions"] == sorted(str(a) for a in ROLE_ACTIONS[Role.CASHIER])
    assert "staff.manage" not in body["allowed_actions"]


def test_every_role_has_an_entry_in_the_matrix() -> None:
    assert set(ROLE_ACTIONS) == set(Role.values)
    assert ROLE_ACTIONS[Role.OWNER] == frozenset(Action)
