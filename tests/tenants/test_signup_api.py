"""POST /api/v1/signup/ on the root domain."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.test import Client
from django_tenants.utils import schema_context

from shared_apps.outbox.models import OutboxMessage
from shared_apps.tenants.models import Domain, Tenant, TenantStatus
from shared_apps.users.models import Role, User
from tenant_apps.inventory.models import Location
from tests.support.brokers import PrivateRedis
from tests.support.tenants import STRONG_PASSWORD, schema_count, schema_exists, signup_data
from tests.support.urls import root_path

URL = root_path("tenants:tenant-signup")


def payload(**overrides: str) -> dict[str, Any]:
    return asdict(signup_data(**overrides))


def post(client: Client, body: Any) -> Any:
    return client.post(URL, body, content_type="application/json")


def test_signup_creates_a_ready_business(root_client: Client) -> None:
    # given a valid signup
    body = payload(slug="mama-mboga", business_name="Mama Mboga Groceries", currency="KES")

    # when it is posted
    response = post(root_client, body)

    # then the business exists with its domain, schema, owner and default locations
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["url"] == "http://mama-mboga.localhost:8000/"
    assert data["login_url"] == "http://mama-mboga.localhost:8000/login/"
    assert data["tenant"]["slug"] == "mama-mboga"
    assert data["tenant"]["status"] == "trialing"
    tenant = Tenant.objects.get(slug="mama-mboga")
    assert tenant.schema_name == "t_mama_mboga"
    assert tenant.status == TenantStatus.TRIALING
    assert (tenant.currency, tenant.time_zone, tenant.country) == ("KES", "Africa/Nairobi", "KE")
    assert Domain.objects.get(tenant=tenant).domain == "mama-mboga.localhost"
    assert schema_exists("t_mama_mboga")
    with schema_context("t_mama_mboga"):
        owner = User.objects.get()
        assert owner.email == body["owner_email"]
        assert owner.role == Role.OWNER
        assert authenticate(email=body["owner_email"], password=STRONG_PASSWORD) == owner
        assert sorted(Location.objects.values_list("code", "kind")) == [
            ("STORE", "storefront"),
            ("WH", "warehouse"),
        ]


def test_signup_owner_exists_only_in_its_own_schema(root_client: Client) -> None:
    post(root_client, payload(slug="first-shop", owner_email="same@example.com"))

    with schema_context("public"):
        assert not User.objects.filter(email="same@example.com").exists()


def assert_field_error(response: Any, field: str, code: str) -> None:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["message"]
    codes = [e["code"] for e in error["fields"].get(field, [])]
    assert code in codes, error


@pytest.mark.parametrize(
    ("slug", "code"),
    [
        ("ab", "slug_length"),
        ("a" * 41, "slug_length"),
        ("Acme", "slug_case"),
        ("-acme", "slug_invalid"),
        ("acme-", "slug_invalid"),
        ("ac_me", "slug_invalid"),
        ("ac.me", "slug_invalid"),
        ("acmé", "slug_invalid"),
        ("xn--acme", "slug_invalid"),
        ("ac me", "slug_invalid"),
    ],
)
def test_bad_slug_is_refused_and_nothing_is_created(
    root_client: Client, slug: str, code: str
) -> None:
    tenants, schemas = Tenant.objects.count(), schema_count()

    response = post(root_client, payload(slug=slug))

    assert_field_error(response, "slug", code)
    assert (Tenant.objects.count(), schema_count()) == (tenants, schemas)


@pytest.mark.parametrize(
    "slug", ["www", "api", "admin", "console", "app", "mail", "static", "media", "public", "demo"]
)
def test_reserved_slug_is_refused(root_client: Client, slug: str) -> None:
    before = list(Tenant.objects.values_list("slug", flat=True))

    response = post(root_client, payload(slug=slug))

    assert_field_error(response, "slug", "slug_reserved")
    assert list(Tenant.objects.values_list("slug", flat=True)) == before


def test_taken_slug_is_refused_and_the_first_business_is_untouched(root_client: Client) -> None:
    first = post(root_client, payload(slug="duka-moja", business_name="First"))
    assert first.status_code == 201
    schemas = schema_count()

    second = post(root_client, payload(slug="duka-moja", business_name="Second"))

    assert_field_error(second, "slug", "slug_taken")
    assert Tenant.objects.get(slug="duka-moja").name == "First"
    assert schema_count() == schemas


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short1!", "password_too_short"),
        ("password123", "password_too_common"),
        ("83749201938475", "password_entirely_numeric"),
        ("wanjiru.kamau", "password_too_similar"),
    ],
)
def test_weak_password_is_refused(root_client: Client, password: str, code: str) -> None:
    response = post(
        root_client,
        payload(password=password, owner_email="wanjiru.kamau@example.com", slug="weak-pw"),
    )

    assert_field_error(response, "password", code)
    assert not Tenant.objects.filter(slug="weak-pw").exists()


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("currency", "KSH", "unknown_currency"),
        ("currency", "kes", "unknown_currency"),
        ("time_zone", "Africa/Atlantis", "unknown_time_zone"),
        ("time_zone", "EAT", "unknown_time_zone"),
        ("country", "XX", "unknown_country"),
        ("business_name", "   ", "blank"),
    ],
)
def test_unknown_reference_data_is_refused(
    root_client: Client, field: str, value: str, code: str
) -> None:
    response = post(root_client, payload(slug="ref-data", **{field: value}))

    assert_field_error(response, field, code)
    assert not Tenant.objects.filter(slug="ref-data").exists()


def test_every_problem_is_reported_at_once(root_client: Client) -> None:
    response = post(root_client, payload(slug="www", currency="XYZ", time_zone="Mars/Base"))

    fields = response.json()["error"]["fields"]
    assert set(fields) == {"slug", "currency", "time_zone"}


def test_missing_fields_and_bad_email_are_field_errors(root_client: Client) -> None:
    response = post(root_client, {"slug": "incomplete", "owner_email": "not-an-email"})

    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields["owner_email"][0]["code"] == "invalid"
    for name in ("business_name", "owner_name", "password", "country", "currency", "time_zone"):
        assert fields[name][0]["code"] == "required"


def test_malformed_json_is_a_clear_400(root_client: Client) -> None:
    response = root_client.post(URL, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_signup_is_not_served_on_a_business_host(make_tenant: Any, tenant_client: Any) -> None:
    tenant = make_tenant()

    response = post(tenant_client(tenant), payload(slug="from-tenant-host"))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert not Tenant.objects.filter(slug="from-tenant-host").exists()


def test_a_signup_while_the_broker_is_down_answers_and_leaves_the_pool_refill_waiting(
    root_client: Client,
    broker: PrivateRedis,
    settings: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    settings.TENANT_SCHEMA_POOL_SIZE = 2
    broker.stop()

    with django_capture_on_commit_callbacks(execute=True):
        response = post(root_client, payload(slug="no-broker"))

    # The business is made and told so; the refill it queued waits in the outbox for the drain.
    assert response.status_code == 201, response.content
    assert Tenant.objects.filter(slug="no-broker").exists()
    (waiting,) = OutboxMessage.objects.filter(task_name="tenants.refill_schema_pool")
    assert (waiting.schema_name, waiting.failures) == ("public", 1)
