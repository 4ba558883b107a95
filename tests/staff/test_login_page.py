"""The business login page (``/login/``) and the API login share one backoff.

Written from the attacker's side: guesses on either path count for both, and a locked account
is refused on the page even with the right password — a 429 with Retry-After, no session.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from shared_apps.tenants.models import Tenant
from shared_apps.users import lockout
from tests.support.people import login
from tests.support.tenants import STRONG_PASSWORD
from tests.support.urls import tenant_path

pytestmark = pytest.mark.django_db

TenantClient = Callable[[Tenant], Client]


def page_login(client: Client, email: str, password: str = STRONG_PASSWORD, **extra: Any) -> Any:
    login_path = tenant_path("terminal:login")
    return client.post(login_path, {"username": email, "password": password}, **extra)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_page_logs_in_with_the_right_password(
    business: Tenant, tenant_client: TenantClient
) -> None:
    client = tenant_client(business)

    response = page_login(client, business.owner_email.upper())  # e-mails match in any case

    assert response.status_code == 302
    assert signed_in(client)


def test_repeated_wrong_passwords_on_the_page_lock_it_even_for_the_right_one(
    business: Tenant, tenant_client: TenantClient
) -> None:
    attacker = tenant_client(business)
    codes = [
        page_login(attacker, business.owner_email, f"guess-{n}").status_code
        for n in range(30)  # what the attacker tried: thirty guesses
    ]

    locked = page_login(attacker, business.owner_email)

    assert codes[: lockout.ACCOUNT_FREE_ATTEMPTS] == [200] * lockout.ACCOUNT_FREE_ATTEMPTS
    assert set(codes[lockout.ACCOUNT_FREE_ATTEMPTS :]) == {429}
    assert locked.status_code == 429
    assert 1 <= int(locked["Retry-After"]) <= lockout.MAX_LOCK_SECONDS
    assert b"Too many failed attempts. Try again in" in locked.content
    assert not signed_in(attacker)


def test_failures_on_the_page_lock_the_api(business: Tenant, tenant_client: TenantClient) -> None:
    client = tenant_client(business)
    for _ in range(lockout.ACCOUNT_FREE_ATTEMPTS):
        page_login(client, business.owner_email, "wrong-password")

    api = login(tenant_client(business), business.owner_email)

    assert api.status_code == 429
    assert api.json()["error"]["code"] == "login_locked"
    assert "access" not in api.json()


def test_failures_on_the_api_lock_the_page(business: Tenant, tenant_client: TenantClient) -> None:
    # the reported hole: the API said 429 while the page let the right password in
    client = tenant_client(business)
    for _ in range(lockout.ACCOUNT_FREE_ATTEMPTS):
        login(client, business.owner_email, "wrong-password")
    assert login(client, business.owner_email).status_code == 429

    page = page_login(client, business.owner_email)

    assert page.status_code == 429
    assert page["Retry-After"]
    assert not signed_in(client)


def test_one_address_guessing_many_accounts_on_the_page_is_locked(
    business: Tenant, tenant_client: TenantClient
) -> None:
    client = tenant_client(business)
    for n in range(lockout.ADDRESS_FREE_ATTEMPTS):
        page_login(client, f"guess{n}@example.com", "wrong-password")

    page = page_login(client, business.owner_email)
    api = login(client, business.owner_email)

    assert (page.status_code, api.status_code) == (429, 429)
    assert not signed_in(client)


def test_another_address_is_not_locked_by_the_guesser(
    business: Tenant, tenant_client: TenantClient, member: Callable[..., Any]
) -> None:
    cashier = member(business, "cashier")
    guesser = tenant_client(business)
    for n in range(lockout.ADDRESS_FREE_ATTEMPTS):
        page_login(guesser, f"guess{n}@example.com", "wrong-password", REMOTE_ADDR="203.0.113.9")

    colleague = tenant_client(business)
    response = page_login(colleague, cashier.email, REMOTE_ADDR="198.51.100.4")

    assert response.status_code == 302
    assert signed_in(colleague)


def test_a_forged_forwarded_for_does_not_dodge_the_address_lock(
    business: Tenant, tenant_client: TenantClient
) -> None:
    # TRUSTED_PROXY_COUNT is 0 here: X-Forwarded-For is the client's own writing, ignored
    client = tenant_client(business)
    for n in range(lockout.ADDRESS_FREE_ATTEMPTS):
        page_login(client, f"guess{n}@example.com", "x", HTTP_X_FORWARDED_FOR=f"10.9.9.{n}")

    page = page_login(client, business.owner_email, HTTP_X_FORWARDED_FOR="10.9.9.250")

    assert page.status_code == 429
    assert not signed_in(client)


def test_guessing_the_old_password_with_a_stolen_token_meets_the_same_lock(
    business: Tenant,
    tenant_client: TenantClient,
    jwt_client: Callable[[Tenant, str], Client],
) -> None:
    # a stolen access token lasts minutes; guessing the password would keep the account
    thief = jwt_client(business, business.owner_email)
    new = "Taken-Over-Password-77"

    def change(old: str) -> Any:
        body = {"old_password": old, "new_password1": new, "new_password2": new}
        password_change_path = tenant_path("staff:password-change")
        return thief.post(password_change_path, body, content_type="application/json")

    guesses = [change(f"guess-{n}").status_code for n in range(lockout.ACCOUNT_FREE_ATTEMPTS)]
    locked = change(STRONG_PASSWORD)

    assert guesses == [400] * lockout.ACCOUNT_FREE_ATTEMPTS
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "login_locked"
    assert login(tenant_client(business), business.owner_email, new).status_code == 429
    lockout_free = tenant_client(business)
    cache.clear()  # the lock lifts: the old password still works, the thief's never took
    assert login(lockout_free, business.owner_email, new).status_code == 401
    assert login(lockout_free, business.owner_email).status_code == 200
