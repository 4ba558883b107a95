"""The notifications API: a person reads and changes their own preferences; owners and managers
read the log, paged and filtered; bad input is a 4xx in the error shape and changes nothing;
another business sees none of it."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from shared_apps.tenants.models import Tenant
from shared_apps.users.models import User
from tenant_apps.catalog.models import Product
from tenant_apps.inventory.models import Location
from tenant_apps.inventory.services import stock_threshold_set
from tenant_apps.notifications import tasks
from tenant_apps.notifications.models import (
    Notification,
    NotificationPreference,
    NotificationProfile,
)
from tests.support.urls import tenant_path

pytestmark = pytest.mark.django_db

PREFERENCES = "notifications:preference-detail"
LOG = "notifications:notification-list"


@pytest.fixture
def alerted(
    business: Tenant,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
) -> list[Notification]:
    """One low-stock alert e-mailed to the owner."""
    sugar = make_product(name="Sugar 1kg")
    receive(sugar, store, "1")
    with tenant_context(business):
        stock_threshold_set(product=sugar, location=store, threshold=Decimal(5))
        tasks.stock_alerts.run()
        return list(Notification.objects.all())


def test_a_person_reads_their_defaults_and_changes_them(
    business: Tenant, member: Callable[..., User], jwt_client: Callable[[Tenant, str], Client]
) -> None:
    keeper = member(business, "warehouse")
    client = jwt_client(business, keeper.email)

    before = client.get(tenant_path(PREFERENCES)).json()
    changed = client.put(
        tenant_path(PREFERENCES),
        {
            "phone": "0712 345 678",
            "quiet_hours": {"start": "22:00", "end": "06:30"},
            "preferences": [{"kind": "low_stock", "channel": "sms", "enabled": True}],
        },
        content_type="application/json",
    )

    assert {(p["kind"], p["channel"], p["enabled"]) for p in before["preferences"]} == {
        ("low_stock", "email", True), ("low_stock", "sms", False),
        ("low_stock", "whatsapp", False), ("expiring_batch", "email", True),
        ("expiring_batch", "sms", False), ("expiring_batch", "whatsapp", False),
    }  # fmt: skip
    assert before["quiet_hours"] is None
    assert before["business_quiet_hours"] == {"start": "21:00", "end": "07:00"}
    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert body["phone"] == "+254712345678"
    assert body["quiet_hours"] == {"start": "22:00", "end": "06:30"}
    assert {"kind": "low_stock", "channel": "sms", "enabled": True, "default": False} in body[
        "preferences"
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"preferences": [{"kind": "weekly_report", "channel": "email", "enabled": False}]},
        {"preferences": [{"kind": "low_stock", "channel": "pigeon", "enabled": False}]},
        {"preferences": [{"kind": "low_stock", "channel": "email", "enabled": "maybe"}]},
        {"phone": "0712 ABC 678", "preferences": [
            {"kind": "low_stock", "channel": "email", "enabled": False}]},
        {"quiet_hours": {"start": "22:00", "end": "22:00"}},
        {"quiet_hours": {"start": "25:00", "end": "06:00"}},
        {"preferences": "all"},
    ],
)  # fmt: skip
def test_bad_preferences_are_400_and_change_nothing(
    business: Tenant,
    member: Callable[..., User],
    jwt_client: Callable[[Tenant, str], Client],
    body: dict[str, object],
) -> None:
    keeper = member(business, "warehouse")  # weekly reports are not for the warehouse

    response = jwt_client(business, keeper.email).put(
        tenant_path(PREFERENCES), body, content_type="application/json"
    )

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error" and error["fields"]
    with tenant_context(business):
        assert not NotificationPreference.objects.exists()
        assert not NotificationProfile.objects.filter(user_id=keeper.pk).exists()


def test_the_log_is_paged_and_filtered_for_owners(
    alerted: list[Notification], owner_client: Client
) -> None:
    everything = owner_client.get(tenant_path(LOG) + "?limit=1").json()
    sent = owner_client.get(tenant_path(LOG) + "?kind=low_stock&status=sent&channel=email")
    failed = owner_client.get(tenant_path(LOG) + "?status=failed").json()
    (row,) = alerted
    detail = owner_client.get(
        tenant_path("notifications:notification-detail", notification_id=row.pk)
    )

    assert everything["count"] == 1 and everything["next"] is None
    assert sent.status_code == 200
    (shown,) = sent.json()["results"]
    assert shown["id"] == row.pk and shown["status"] == "sent" and "Sugar 1kg" in shown["summary"]
    assert failed["count"] == 0
    assert detail.json()["provider_message_id"] == row.provider_message_id


@pytest.mark.parametrize("query", ["?status=lost", "?kind=gossip", "?channel=fax", "?limit=0"])
def test_a_bad_log_filter_is_400(owner_client: Client, query: str) -> None:
    response = owner_client.get(tenant_path(LOG) + query)

    assert response.status_code == 400
    assert response.json()["error"]["fields"]


def test_a_cashier_may_not_read_the_log(cashier_client: Client) -> None:
    response = cashier_client.get(tenant_path(LOG))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_another_business_sees_neither_the_log_nor_the_preferences(
    alerted: list[Notification],
    business: Tenant,
    make_tenant: Callable[..., Tenant],
    jwt_client: Callable[[Tenant, str], Client],
    tenant_client: Callable[[Tenant], Client],
) -> None:
    rival = make_tenant()
    rival_owner = jwt_client(rival, rival.owner_email)
    (row,) = alerted
    # The rival's owner's token on this business's host.
    stolen = tenant_client(business)
    stolen.defaults["HTTP_AUTHORIZATION"] = rival_owner.defaults["HTTP_AUTHORIZATION"]

    on_our_host = stolen.get(tenant_path(LOG))
    their_log = rival_owner.get(tenant_path(LOG)).json()
    our_id_there = rival_owner.get(
        tenant_path("notifications:notification-detail", notification_id=row.pk)
    )
    their_preferences = rival_owner.get(tenant_path(PREFERENCES)).json()

    assert on_our_host.status_code in (401, 403)
    assert their_log["count"] == 0
    assert our_id_there.status_code == 404
    assert our_id_there.json()["error"]["code"] == "not_found"
    assert their_preferences["phone"] == ""
