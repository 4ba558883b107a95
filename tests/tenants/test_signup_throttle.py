"""Signups are throttled per client address and per owner e-mail, on the API and the page.

The attack: fifty signups from one address in a minute, each making a whole schema. Written
from the attacker's side: the request, the 429 with Retry-After, and that nothing was made.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pytest
from django.test import Client

from shared_apps.tenants.models import Tenant
from tests.support.tenants import schema_count, signup_data
from tests.support.urls import root_path

pytestmark = pytest.mark.django_db

URL = root_path("tenants:tenant-signup")


def api_signup(client: Client, **overrides: Any) -> Any:
    extra = {k: overrides.pop(k) for k in list(overrides) if k.isupper()}
    body = asdict(signup_data(**overrides))
    return client.post(URL, body, content_type="application/json", **extra)


def businesses() -> int:
    return Tenant.objects.exclude(schema_name="public").count()


@pytest.fixture
def limits(settings: Any) -> Any:
    # Small limits keep the test to a few real signups; the defaults are settings too.
    settings.SIGNUP_PER_ADDRESS_PER_HOUR = 2
    settings.SIGNUP_PER_EMAIL_PER_HOUR = 1
    return settings


def test_signups_from_one_address_are_throttled_and_make_nothing(
    root_client: Client, limits: Any
) -> None:
    made = [api_signup(root_client).status_code for _ in range(2)]
    schemas = schema_count()

    refused = api_signup(root_client, slug="one-too-many")

    assert made == [201, 201]
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert not Tenant.objects.filter(slug="one-too-many").exists()
    assert schema_count() == schemas


def test_a_forged_forwarded_for_does_not_dodge_the_address_limit(
    root_client: Client, limits: Any
) -> None:
    for n in range(2):
        api_signup(root_client, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")

    refused = api_signup(root_client, slug="forged-hop", HTTP_X_FORWARDED_FOR="10.0.0.99")

    assert refused.status_code == 429
    assert not Tenant.objects.filter(slug="forged-hop").exists()


def test_behind_a_trusted_proxy_each_client_is_counted_apart(
    root_client: Client, limits: Any
) -> None:
    limits.TRUSTED_PROXY_COUNT = 1
    for _ in range(2):
        api_signup(root_client, HTTP_X_FORWARDED_FOR="41.90.1.2")

    other_client = api_signup(root_client, slug="next-door", HTTP_X_FORWARDED_FOR="41.90.1.3")

    assert other_client.status_code == 201
    assert api_signup(root_client, HTTP_X_FORWARDED_FOR="41.90.1.2").status_code == 429


def test_signups_for_one_email_are_throttled_from_any_address(
    root_client: Client, limits: Any
) -> None:
    first = api_signup(root_client, owner_email="same@example.com", REMOTE_ADDR="198.51.100.1")
    before = businesses()

    again = api_signup(
        root_client, slug="same-owner-2", owner_email="same@example.com", REMOTE_ADDR="203.0.113.5"
    )

    assert first.status_code == 201
    assert again.status_code == 429
    assert businesses() == before


def test_mistakes_are_not_counted(root_client: Client, limits: Any) -> None:
    mistakes = [api_signup(root_client, slug="admin").status_code for _ in range(5)]

    made = api_signup(root_client)

    assert set(mistakes) == {400}
    assert made.status_code == 201


def test_the_page_is_throttled_too_with_a_message(root_client: Client, limits: Any) -> None:
    def form(**overrides: str) -> dict[str, str]:
        return asdict(signup_data(**overrides))

    made = [root_client.post(root_path("tenants:signup"), form()).status_code for _ in range(2)]
    schemas = schema_count()

    refused = root_client.post(root_path("tenants:signup"), form(slug="page-too-many"))

    assert made == [303, 303]
    assert refused.status_code == 429
    assert refused["Retry-After"]
    assert b"Too many sign-ups. Try again in" in refused.content
    assert not Tenant.objects.filter(slug="page-too-many").exists()
    assert schema_count() == schemas


def test_page_and_api_share_the_address_limit(root_client: Client, limits: Any) -> None:
    api_signup(root_client)
    root_client.post(root_path("tenants:signup"), asdict(signup_data()))

    refused = api_signup(root_client, slug="shared-count")

    assert refused.status_code == 429
    assert not Tenant.objects.filter(slug="shared-count").exists()
