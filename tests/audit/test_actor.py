"""Every change made through the API or a page names who made it and from where."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.test import Client
from django_tenants.utils import schema_context

from shared_apps.tenants.models import Tenant
from shared_apps.users.models import User
from tenant_apps.staff.services import api_key_create
from tests.audit.conftest import add_location, location_entry
from tests.support.people import owner_of
from tests.support.urls import root_path, tenant_path

pytestmark = pytest.mark.django_db


def test_jwt_request_names_the_user_and_address(
    business: Tenant, jwt_client: Callable[[Tenant, str], Client]
) -> None:
    # given an owner signed in with a JWT
    client = jwt_client(business, business.owner_email)
    # when they add a location
    location = add_location(client, "JWT1", REMOTE_ADDR="203.0.113.7")
    # then its audit entry names them and their address
    entry = location_entry(business, location["id"])
    assert entry.actor_id == owner_of(business).pk
    assert entry.actor_email == business.owner_email
    assert entry.remote_addr == "203.0.113.7"
    assert entry.changes_dict["code"] == ["None", "JWT1"]


def test_session_request_names_the_user(
    business: Tenant, tenant_client: Callable[[Tenant], Client]
) -> None:
    client = tenant_client(business)
    with schema_context(business.schema_name):
        # a session is stored (and last_login saved) in the business's own schema
        client.force_login(owner_of(business))
    location = add_location(client, "SES1")
    entry = location_entry(business, location["id"])
    assert entry.actor_id == owner_of(business).pk
    assert entry.remote_addr == "127.0.0.1"


def test_api_key_request_is_marked_with_the_key_prefix(
    business: Tenant, tenant_client: Callable[[Tenant], Client]
) -> None:
    with schema_context(business.schema_name):
        issued = api_key_create(actor=owner_of(business), name="Sync", scopes=["inventory:write"])
    location = add_location(
        tenant_client(business), "KEY1", HTTP_AUTHORIZATION=f"Api-Key {issued.key}"
    )
    entry = location_entry(business, location["id"])
    # an integration is not a person: no user, and the key's prefix says which integration
    assert entry.actor_id is None
    assert entry.additional_data == {"api_key": issued.api_key.prefix}
    assert entry.remote_addr == "127.0.0.1"


def test_forwarded_address_is_ignored_without_trusted_proxies(
    business: Tenant, jwt_client: Callable[[Tenant, str], Client]
) -> None:
    client = jwt_client(business, business.owner_email)
    location = add_location(client, "FWD1", HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert location_entry(business, location["id"]).remote_addr == "127.0.0.1"


def test_secrets_are_never_recorded(
    business: Tenant, jwt_client: Callable[[Tenant, str], Client]
) -> None:
    client = jwt_client(business, business.owner_email)
    response = client.post(
        tenant_path("staff:staff-list"),
        {
            "email": "cashier9@example.com",
            "full_name": "Cashier Nine",
            "role": "cashier",
            "password": "Another-Strong-Pass-77",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    with schema_context(business.schema_name):
        user = User.objects.get(email="cashier9@example.com")
        entry = LogEntry.objects.get(
            content_type__model="user", object_pk=str(user.pk), action=LogEntry.Action.CREATE
        )
    assert entry.actor_email == business.owner_email
    assert "password" not in entry.changes_dict
    assert "pin_hash" not in entry.changes_dict
    assert entry.changes_dict["role"] == ["None", "cashier"]


def test_console_suspend_and_reactivate_are_audited_in_public(
    make_tenant: Callable[..., Tenant], public_tenant: Tenant
) -> None:
    tenant = make_tenant(business_name="Suspended Soon")
    owner = User.objects.create_user(
        "boss@duka.example", "Correct-Horse-Battery-42", full_name="Boss", is_platform_owner=True
    )
    client = Client(HTTP_HOST=settings.PLATFORM_DOMAIN)
    client.force_login(owner)
    for action in ("suspend", "reactivate"):
        path = root_path(f"console:tenant-{action}", slug=tenant.slug)
        response = client.post(path, {"reason": "Check"})
        assert response.status_code == 302, response.content
    with schema_context("public"):
        entries = list(
            LogEntry.objects.filter(
                content_type__model="tenant",
                object_pk=str(tenant.pk),
                action=LogEntry.Action.UPDATE,
            ).order_by("id")
        )
    assert [e.changes_dict["status"] for e in entries] == [
        ["trialing", "suspended"],
        ["suspended", "trialing"],  # a reactivated trial is a trial again
    ]
    assert {e.actor_id for e in entries} == {owner.pk}
    # the business's own trail knows nothing of it
    with schema_context(tenant.schema_name):
        assert not LogEntry.objects.filter(content_type__model="tenant").exists()
