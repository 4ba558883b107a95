"""The root domain's pages: the landing page, the login that sends people to their business's
host, and the "find my business" e-mail."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.test import Client, override_settings

from shared_apps.tenants.models import Tenant
from tests.support.people import owner_of
from tests.support.urls import root_path, tenant_path

LOGIN = root_path("tenants:login")
FIND = root_path("tenants:business-find")

pytestmark = pytest.mark.django_db


def test_the_landing_page_says_what_duka_is_and_leads_to_signup_and_login(
    root_client: Client,
) -> None:
    page = root_client.get(root_path("tenants:landing"))

    assert page.status_code == 200
    text = page.content.decode()
    assert "mobile money" in text
    assert f'href="{root_path("tenants:signup")}"' in text
    assert f'href="{LOGIN}"' in text


def test_the_root_login_sends_people_to_their_business_login(
    root_client: Client, business: Tenant
) -> None:
    response = root_client.post(LOGIN, {"slug": business.slug.upper(), "email": "me@example.com"})

    assert response.status_code == 303
    target = urlsplit(response["Location"])
    assert target.netloc.startswith(f"{business.slug}.")
    assert target.path == tenant_path("terminal:login")
    assert parse_qs(target.query) == {"email": ["me@example.com"]}


def test_an_unknown_business_address_is_a_form_error(root_client: Client) -> None:
    response = root_client.post(LOGIN, {"slug": "nobody-here"})

    assert response.status_code == 400
    assert b"No business has this address" in response.content


def test_the_public_schema_is_not_a_business_to_log_in_to(root_client: Client) -> None:
    response = root_client.post(LOGIN, {"slug": "public"})

    assert response.status_code == 400


def test_the_business_login_page_fills_in_the_e_mail_it_was_sent_with(
    tenant_client, business: Tenant
) -> None:
    page = tenant_client(business).get(tenant_path("terminal:login") + "?email=owner%40alpha.test")

    assert page.status_code == 200
    assert b'value="owner@alpha.test"' in page.content


def test_the_signup_done_page_links_to_the_login_with_the_owner_e_mail(
    root_client: Client, business: Tenant
) -> None:
    session = root_client.session
    session["signed_up_slug"] = business.slug
    session.save()

    page = root_client.get(root_path("tenants:signup-done"))

    assert page.status_code == 200
    owner = owner_of(business)
    login = tenant_path("terminal:login")
    assert f"{login}?email={owner.email.replace('@', '%40')}".encode() in page.content


def test_find_business_mails_the_owner_the_login_links(
    root_client: Client, business: Tenant
) -> None:
    response = root_client.post(FIND, {"email": business.owner_email.upper()})

    assert response.status_code == 200
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [business.owner_email.upper()]
    assert f"{business.slug}." in mail.outbox[0].body
    assert tenant_path("terminal:login") in mail.outbox[0].body


def test_find_business_answers_the_same_for_an_unknown_e_mail_and_sends_nothing(
    root_client: Client, business: Tenant
) -> None:
    known = root_client.post(FIND, {"email": business.owner_email})
    unknown = root_client.post(FIND, {"email": "stranger@example.com"})

    assert unknown.status_code == known.status_code == 200
    strip = lambda page, email: page.content.decode().replace(email, "")  # noqa: E731
    assert strip(known, business.owner_email) == strip(unknown, "stranger@example.com")
    assert len(mail.outbox) == 1


@override_settings(PASSWORD_RESET_PER_ACCOUNT_PER_HOUR=2)
def test_find_business_is_throttled_per_e_mail(root_client: Client, business: Tenant) -> None:
    statuses = [
        root_client.post(FIND, {"email": business.owner_email}).status_code for _ in range(3)
    ]

    assert statuses == [200, 200, 429]
    assert len(mail.outbox) == 2


def test_find_business_refuses_a_malformed_e_mail(root_client: Client) -> None:
    response = root_client.post(FIND, {"email": "not an address"})

    assert response.status_code == 400
    assert len(mail.outbox) == 0
