"""The business's notification settings over the API: owners and managers read them, change
only what they name, and a bad value changes nothing; cashiers and other businesses cannot."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from shared_apps.tenants.models import Tenant
from shared_apps.users.models import Role
from tenant_apps.notifications.models import NotificationSettings
from tenant_apps.notifications.services import notification_settings_get
from tests.support.urls import tenant_path

pytestmark = pytest.mark.django_db

SETTINGS = "notifications:settings-detail"


def _stored(business: Tenant) -> tuple[Any, ...]:
    with tenant_context(business):
        found = notification_settings_get()
        return (found.quiet_start, found.quiet_end, found.credit_reminders,
                found.credit_reminder_channel)  # fmt: skip


def test_a_new_business_reads_its_defaults_and_the_owner_changes_only_what_they_name(
    business: Tenant, owner_client: Client, staff_client: Callable[[str], Client]
) -> None:
    before = owner_client.get(tenant_path(SETTINGS)).json()

    channel = owner_client.put(
        tenant_path(SETTINGS),
        {"credit_reminder_channel": "whatsapp"},
        content_type="application/json",
    ).json()
    window = staff_client(Role.MANAGER).put(
        tenant_path(SETTINGS), {"quiet_hours": {"start": "22:30", "end": "06:00"}},
        content_type="application/json",
    ).json()  # fmt: skip
    none = owner_client.put(
        tenant_path(SETTINGS), {"quiet_hours": None, "credit_reminders": False},
        content_type="application/json",
    ).json()  # fmt: skip

    assert before == {
        "quiet_hours": {"start": "21:00", "end": "07:00"},
        "credit_reminders": True,
        "credit_reminder_channel": "sms",
    }
    assert channel["credit_reminder_channel"] == "whatsapp"
    assert channel["quiet_hours"] == before["quiet_hours"]  # not named: kept
    assert window["quiet_hours"] == {"start": "22:30", "end": "06:00"}
    assert window["credit_reminder_channel"] == "whatsapp"
    assert none == {"quiet_hours": None, "credit_reminders": False,
                    "credit_reminder_channel": "whatsapp"}  # fmt: skip
    assert _stored(business) == (None, None, False, "whatsapp")


@pytest.mark.parametrize(
    "body",
    [
        {"quiet_hours": {"start": "22:00", "end": "22:00"}},
        {"quiet_hours": {"start": "25:00", "end": "06:00"}},
        {"quiet_hours": {"start": "22:00"}},
        {"quiet_hours": "night"},
        {"credit_reminder_channel": "pigeon"},
        {"credit_reminders": "maybe", "credit_reminder_channel": "email"},
    ],
)
def test_a_bad_value_is_400_and_changes_nothing(
    business: Tenant, owner_client: Client, body: dict[str, Any]
) -> None:
    before = _stored(business)

    response = owner_client.put(tenant_path(SETTINGS), body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"]
    assert _stored(business) == before


def test_cashiers_and_other_businesses_cannot_read_or_change_them(
    business: Tenant,
    cashier_client: Client,
    make_tenant: Callable[..., Tenant],
    jwt_client: Callable[[Tenant, str], Client],
    tenant_client: Callable[[Tenant], Client],
) -> None:
    rival = make_tenant()
    rival_owner = jwt_client(rival, rival.owner_email)
    stolen = tenant_client(business)
    stolen.defaults["HTTP_AUTHORIZATION"] = rival_owner.defaults["HTTP_AUTHORIZATION"]
    quiet = {"quiet_hours": None}

    read = cashier_client.get(tenant_path(SETTINGS))
    changed = cashier_client.put(tenant_path(SETTINGS), quiet, content_type="application/json")
    cross = stolen.put(tenant_path(SETTINGS), quiet, content_type="application/json")
    theirs = rival_owner.put(tenant_path(SETTINGS), quiet, content_type="application/json")

    assert (read.status_code, changed.status_code) == (403, 403)
    assert cross.status_code in (401, 403)
    assert theirs.status_code == 200
    assert _stored(business)[:2] == (time(21, 0), time(7, 0))
    with tenant_context(rival):
        assert NotificationSettings.objects.get().quiet_start is None
