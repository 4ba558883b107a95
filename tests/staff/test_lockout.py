"""Brute-force protection on password and PIN logins."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from shared_apps.tenants.models import Tenant
from shared_apps.users import lockout
from shared_apps.users.models import User
from tenant_apps.staff.services import staff_set_own_pin
from tests.support.people import login
from tests.support.urls import tenant_path

pytestmark = pytest.mark.django_db


def fail(client: Client, email: str, times: int) -> list[int]:
    return [login(client, email, "wrong-password").status_code for _ in range(times)]


def test_account_is_locked_after_repeated_failures_even_for_the_right_password(
    business: Tenant, tenant_client: Callable[[Tenant], Client]
) -> None:
    client = tenant_client(business)

    codes = fail(client, business.owner_email, lockout.ACCOUNT_FREE_ATTEMPTS)
    locked = login(client, business.owner_email)

    assert codes == [401] * lockout.ACCOUNT_FREE_ATTEMPTS
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "login_locked"
    assert "Try again in" in locked.json()["error"]["message"]
    assert 1 <= int(locked["Retry-After"]) <= lockout.BASE_LOCK_SECONDS


def test_a_locked_account_does_not_lock_colleagues(
    business: Tenant, member: Callable[..., User], tenant_client: Callable[[Tenant], Client]
) -> None:
    cashier = member(business, "cashier")
    client = tenant_client(business)
    fail(client, business.owner_email, lockout.ACCOUNT_FREE_ATTEMPTS)

    assert login(client, cashier.email).status_code == 200


def test_lockout_is_per_business(
    make_tenant: Callable[..., Tenant], tenant_client: Callable[[Tenant], Client]
) -> None:
    alpha = make_tenant(owner_email="same@example.com")
    beta = make_tenant(owner_email="same@example.com")
    fail(tenant_client(alpha), "same@example.com", lockout.ACCOUNT_FREE_ATTEMPTS)

    assert login(tenant_client(alpha), "same@example.com").status_code == 429
    assert login(tenant_client(beta), "same@example.com").status_code == 200


def test_one_address_guessing_many_accounts_is_locked(
    business: Tenant, tenant_client: Callable[[Tenant], Client]
) -> None:
    client = tenant_client(business)
    for n in range(lockout.ADDRESS_FREE_ATTEMPTS):
        login(client, f"guess{n}@example.com", "wrong-password")

    response = login(client, business.owner_email)

    assert response.status_code == 429


def test_backoff_doubles_and_is_capped() -> None:
    free = lockout.ACCOUNT_FREE_ATTEMPTS
    assert lockout._lock_seconds(free - 1, free) == 0
    assert lockout._lock_seconds(free, free) == lockout.BASE_LOCK_SECONDS
    assert lockout._lock_seconds(free + 1, free) == 2 * lockout.BASE_LOCK_SECONDS
    assert lockout._lock_seconds(free + 50, free) == lockout.MAX_LOCK_SECONDS


def test_success_resets_the_account_counter(
    business: Tenant, tenant_client: Callable[[Tenant], Client]
) -> None:
    client = tenant_client(business)
    fail(client, business.owner_email, lockout.ACCOUNT_FREE_ATTEMPTS - 1)
    assert login(client, business.owner_email).status_code == 200

    assert fail(client, business.owner_email, 1) == [401]  # counting starts again


def test_forwarded_for_is_ignored_unless_a_proxy_is_trusted(settings: object) -> None:
    meta = {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 41.90.1.2"}

    settings.TRUSTED_PROXY_COUNT = 0  # type: ignore[attr-defined]
    direct = lockout.client_address(meta)
    settings.TRUSTED_PROXY_COUNT = 1  # type: ignore[attr-defined]
    proxied = lockout.client_address(meta)

    assert direct == "10.0.0.5"
    assert proxied == "41.90.1.2"  # the hop our ingress added; the forged one is ignored


def test_pin_login_works_and_locks_out(
    business: Tenant, member: Callable[..., User], tenant_client: Callable[[Tenant], Client]
) -> None:
    cashier = member(business, "cashier")
    with schema_context(business.schema_name):
        staff_set_own_pin(user=cashier, pin="4821")
    client = tenant_client(business)

    def pin(value: str) -> int:
        return client.post(
            tenant_path("staff:auth-pin-login"),
            {"email": cashier.email, "pin": value},
            content_type="application/json",
        ).status_code

    assert pin("4821") == 200
    assert [pin("0000") for _ in range(lockout.ACCOUNT_FREE_ATTEMPTS)] == [401] * 5
    assert pin("4821") == 429
