"""Password-reset requests: throttled per address and per e-mail, links on the business's own
domain whatever Host the request named. Written from the attacker's side."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from shared_apps.tenants.models import Tenant
from tests.support.urls import tenant_path

pytestmark = pytest.mark.django_db

URL = tenant_path("staff:password-reset")
TenantClient = Callable[[Tenant], Client]


def ask(client: Client, email: str, **extra: Any) -> Any:
    return client.post(URL, {"email": email}, content_type="application/json", **extra)


def mailed_link(index: int = -1) -> str:
    found = re.search(r"\S+/password-reset/confirm/\S+/", str(mail.outbox[index].body))
    assert found, mail.outbox[index].body
    return found.group(0)


def test_resets_for_one_account_are_throttled_and_send_no_more_mail(
    business: Tenant, tenant_client: TenantClient
) -> None:
    client = tenant_client(business)
    limit = settings.PASSWORD_RESET_PER_ACCOUNT_PER_HOUR

    allowed = [ask(client, business.owner_email).status_code for _ in range(limit)]
    refused = ask(client, business.owner_email)

    assert allowed == [200] * limit
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert len(mail.outbox) == limit  # the throttled request sent nothing


def test_the_account_limit_holds_from_many_addresses(
    business: Tenant, tenant_client: TenantClient
) -> None:
    client = tenant_client(business)
    limit = settings.PASSWORD_RESET_PER_ACCOUNT_PER_HOUR
    for n in range(limit):
        ask(client, business.owner_email, REMOTE_ADDR=f"198.51.100.{n + 1}")

    refused = ask(client, business.owner_email, REMOTE_ADDR="203.0.113.77")

    assert refused.status_code == 429
    assert len(mail.outbox) == limit


def test_one_address_is_throttled_across_accounts(
    business: Tenant, tenant_client: TenantClient
) -> None:
    client = tenant_client(business)
    for n in range(settings.PASSWORD_RESET_PER_ADDRESS_PER_HOUR):
        assert ask(client, f"someone{n}@example.com").status_code == 200

    refused = ask(client, business.owner_email)

    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert mail.outbox == []


def test_throttling_tells_nothing_about_who_has_an_account(
    business: Tenant, tenant_client: TenantClient
) -> None:
    limit = settings.PASSWORD_RESET_PER_ACCOUNT_PER_HOUR
    known = [ask(tenant_client(business), business.owner_email) for _ in range(limit + 1)]
    unknown = [ask(tenant_client(business), "nobody@example.com") for _ in range(limit + 1)]

    assert [r.status_code for r in known] == [r.status_code for r in unknown]
    assert known[0].json() == unknown[0].json()


def test_the_link_is_on_the_business_domain_whatever_host_the_request_named(
    business: Tenant, tenant_client: TenantClient
) -> None:
    client = tenant_client(business)
    spoofed_host = f"{business.slug}.{settings.PLATFORM_DOMAIN}:6666"

    response = ask(
        client,
        business.owner_email,
        HTTP_HOST=spoofed_host,
        HTTP_X_FORWARDED_HOST="attacker.example",
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_PORT="4444",
    )

    assert response.status_code == 200
    port = f":{settings.PLATFORM_URL_PORT}" if settings.PLATFORM_URL_PORT else ""
    expected = f"{settings.PLATFORM_URL_SCHEME}://{business.slug}.{settings.PLATFORM_DOMAIN}{port}"
    link = mailed_link()
    assert link.startswith(f"{expected}/password-reset/confirm/"), link
    body = str(mail.outbox[0].body)
    assert "6666" not in body
    assert "4444" not in body
    assert "attacker.example" not in body


def test_the_link_follows_the_platform_url_settings(
    business: Tenant, tenant_client: TenantClient, settings: Any
) -> None:
    settings.PLATFORM_URL_SCHEME = "https"
    settings.PLATFORM_URL_PORT = ""

    ask(tenant_client(business), business.owner_email, HTTP_HOST=f"{business.slug}.localhost:81")

    assert mailed_link().startswith(f"https://{business.slug}.localhost/password-reset/confirm/")


def test_a_bad_address_is_a_400_and_sends_nothing(
    business: Tenant, tenant_client: TenantClient
) -> None:
    response = ask(tenant_client(business), "not-an-address")

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["email"][0]["code"] == "invalid"
    assert mail.outbox == []
