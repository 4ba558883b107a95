"""``ensure_platform_owner``: the platform owner named by the environment, made at migrate."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import Client
from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand
from django_tenants.utils import schema_context

from saas_platform.tenancy import use_public_schema
from shared_apps.console.services import STATUS_REASON_MAX_LENGTH, ensure_platform_owner
from shared_apps.tenants.models import Tenant, TenantStatusChange
from shared_apps.users.models import User
from tests.support.tenants import STRONG_PASSWORD
from tests.support.urls import root_path

pytestmark = pytest.mark.django_db

EMAIL = "founder@duka.example"


@pytest.fixture
def owner_settings(settings: Any) -> Any:
    settings.PLATFORM_OWNER_EMAIL = EMAIL
    settings.PLATFORM_OWNER_PASSWORD = STRONG_PASSWORD
    return settings


def test_nothing_happens_without_an_owner_email(settings: Any, public_tenant: Tenant) -> None:
    settings.PLATFORM_OWNER_EMAIL = ""
    settings.PLATFORM_OWNER_PASSWORD = STRONG_PASSWORD

    assert ensure_platform_owner() is None
    assert not User.objects.filter(is_platform_owner=True).exists()


def test_creates_an_owner_who_can_log_in_to_the_console(owner_settings: Any) -> None:
    user = ensure_platform_owner()

    assert user is not None
    stored = User.objects.get(email=EMAIL)
    assert (stored.is_platform_owner, stored.is_staff, stored.is_active) == (True, True, True)
    assert stored.check_password(STRONG_PASSWORD)
    client = Client(HTTP_HOST=settings.PLATFORM_DOMAIN)
    client.post(root_path("console:login"), {"username": EMAIL, "password": STRONG_PASSWORD})
    assert client.get(root_path("console:tenant-list")).status_code == 200


def test_email_is_stored_in_lower_case(owner_settings: Any) -> None:
    owner_settings.PLATFORM_OWNER_EMAIL = "  Founder@DUKA.example "

    ensure_platform_owner()

    assert list(User.objects.values_list("email", flat=True)) == [EMAIL]


def test_without_a_password_the_owner_has_none_and_the_log_says_how_to_set_one(
    owner_settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    owner_settings.PLATFORM_OWNER_PASSWORD = ""

    with caplog.at_level(logging.INFO, logger="shared_apps.console.services"):
        ensure_platform_owner()

    assert not User.objects.get(email=EMAIL).has_usable_password()
    assert f"manage.py changepassword {EMAIL}" in caplog.text


def test_promotes_an_existing_public_user_and_keeps_their_password(
    owner_settings: Any,
) -> None:
    existing = User.objects.create_user(EMAIL, "Their-Own-Pass-99", full_name="Founder")

    ensure_platform_owner()

    promoted = User.objects.get(pk=existing.pk)
    assert (promoted.is_platform_owner, promoted.is_staff) == (True, True)
    assert promoted.full_name == "Founder"
    assert promoted.check_password("Their-Own-Pass-99")
    assert not promoted.check_password(STRONG_PASSWORD)


def test_sets_the_password_of_an_existing_user_who_has_none(
    owner_settings: Any,
) -> None:
    User.objects.create_user(EMAIL, None, full_name="Founder")

    ensure_platform_owner()

    assert User.objects.get(email=EMAIL).check_password(STRONG_PASSWORD)


def test_is_idempotent(owner_settings: Any) -> None:
    ensure_platform_owner()
    first = User.objects.get(email=EMAIL)

    ensure_platform_owner()

    again = User.objects.get(email=EMAIL)
    assert User.objects.filter(email=EMAIL).count() == 1
    assert again.password == first.password
    assert again.is_platform_owner


def test_a_changed_password_is_not_overwritten_by_the_environment(
    owner_settings: Any,
) -> None:
    ensure_platform_owner()
    user = User.objects.get(email=EMAIL)
    user.set_password("Chosen-Later-77")
    user.save()

    ensure_platform_owner()

    assert User.objects.get(email=EMAIL).check_password("Chosen-Later-77")


def test_a_weak_password_is_refused_and_no_owner_is_made(
    owner_settings: Any,
) -> None:
    owner_settings.PLATFORM_OWNER_PASSWORD = "12345678"

    with pytest.raises(ImproperlyConfigured, match="PLATFORM_OWNER_PASSWORD"):
        ensure_platform_owner()

    assert not User.objects.filter(email=EMAIL).exists()


def test_a_deactivated_owner_stays_deactivated(
    owner_settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    User.objects.create_user(EMAIL, None, full_name="Founder", is_active=False)

    with caplog.at_level(logging.WARNING, logger="shared_apps.console.services"):
        ensure_platform_owner()

    assert not User.objects.get(email=EMAIL).is_active
    assert "deactivated" in caplog.text


def test_the_owner_is_made_in_the_public_schema_whatever_the_connection_points_at(
    owner_settings: Any, make_tenant: Callable[..., Tenant]
) -> None:
    tenant = make_tenant()

    with schema_context(tenant.schema_name):
        ensure_platform_owner()
        assert not User.objects.filter(email=EMAIL).exists()
    use_public_schema()

    assert User.objects.get(email=EMAIL).is_platform_owner


def test_migrate_makes_the_platform_owner(
    owner_settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The schema migrations themselves are not what this test is about, and take long.
    def migrations_done(self: MigrateSchemasCommand, *args: Any, **options: Any) -> None:
        self.sync_public, self.sync_tenant = True, False

    monkeypatch.setattr(MigrateSchemasCommand, "handle", migrations_done)

    call_command("migrate", verbosity=0)

    assert User.objects.get(email=EMAIL).is_platform_owner


def test_reason_limit_matches_what_the_models_store() -> None:
    change_field = TenantStatusChange._meta.get_field("reason")
    tenant_field = Tenant._meta.get_field("status_reason")

    assert getattr(change_field, "max_length", None) == STATUS_REASON_MAX_LENGTH
    assert getattr(tenant_field, "max_length", None) == STATUS_REASON_MAX_LENGTH
