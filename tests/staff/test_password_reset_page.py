"""The business site's "forgot your password" page: the API's throttle and e-mail, the same
answer for any address, and one shared limit with the API."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from shared_apps.tenants.links import tenant_base_url
from shared_apps.tenants.models import Tenant
from tests.support.urls import tenant_path

pytestmark = pytest.mark.django_db

PAGE = tenant_path("terminal:password-reset-request")
TenantClient = Callable[[Tenant], Client]


def test_the_login_page_links_to_the_reset_page(
    business: Tenant, tenant_client: TenantClient
) -> None:
    client = tenant_client(business)

    assert f'href="{PAGE}"'.encode() in client.get(tenant_path("terminal:login")).content
    assert client.get(PAGE).status_code == 200


def test_the_page_mails_a_link_on_the_business_domain(
    business: Tenant, tenant_client: TenantClient
) -> None:
    response = tenant_client(business).post(PAGE, {"email": business.owner_email})

    assert response.status_code == 200
    assert len(mail.outbox) == 1
    assert f"{tenant_base_url(business)}/password-reset/confirm/" in str(mail.outbox[0].body)


def test_an_unknown_address_gets_the_same_page_and_no_mail(
    business: Tenant, tenant_client: TenantClient
) -> None:
    client = tenant_client(business)
    known = client.post(PAGE, {"email": business.owner_email}).content.decode()
    unknown = client.post(PAGE, {"email": "nobody@example.com"}).content.decode()

    assert known.replace(business.owner_email, "") == unknown.replace("nobody@example.com", "")
    assert len(mail.outbox) == 1


def test_the_page_and_the_api_share_one_limit(
    business: Tenant, tenant_client: TenantClient
) -> None:
    client = tenant_client(business)
    limit = settings.PASSWORD_RESET_PER_ACCOUNT_PER_HOUR
    for _ in range(limit):
        client.post(
            tenant_path("staff:password-reset"),
            {"email": business.owner_email},
            content_type="application/json",
        )

    refused = client.post(PAGE, {"email": business.owner_email})

    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert len(mail.outbox) == limit


def test_a_malformed_address_is_a_form_error(business: Tenant, tenant_client: TenantClient) -> None:
    response = tenant_client(business).post(PAGE, {"email": "not-an-address"})

    assert response.status_code == 400
    assert mail.outbox == []
