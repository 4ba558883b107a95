"""Fixtures of the notification tests: the SMS and WhatsApp fakes served over HTTP with the
platform's settings pointed at them, and e-mail into Django's test outbox."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from devtools.notification_fakes import NotificationFakes, start_notification_fakes
from shared_apps.tenants.models import Tenant
from tenant_apps.notifications.kinds import Channel, Kind
from tenant_apps.notifications.models import Notification, Status
from tenant_apps.notifications.providers.email import EmailContent
from tenant_apps.notifications.services import notification_send, notification_settings_set

# The token at the end of Africa's Talking's delivery report URL, in these tests.
SMS_REPORT_TOKEN = "at-report-token-for-tests-4f1c9e"
PHONE = "+254712345678"
_events = itertools.count(1)


@pytest.fixture(scope="session")
def _served_notification_fakes() -> Iterator[NotificationFakes]:
    fakes = start_notification_fakes(0)
    try:
        yield fakes
    finally:
        fakes.stop()


@pytest.fixture
def notification_fakes(
    _served_notification_fakes: NotificationFakes, settings: Any
) -> NotificationFakes:
    """The fakes, emptied, with the provider settings pointing at them. Delivery reports stay
    in each fake's ``outbox`` (no URL, none automatic) unless a test says otherwise."""
    fakes = _served_notification_fakes
    fakes.reset()
    for fake in (fakes.sms, fakes.whatsapp):
        fake.report_url = ""
        fake.auto_report = False
        fake.report_delay = 1.0
    for name, value in fakes.settings().items():
        setattr(settings, name, value)
    settings.WHATSAPP_TEMPLATE = ""
    settings.SMS_DELIVERY_REPORT_TOKEN = SMS_REPORT_TOKEN
    return fakes


def send_message(business: Tenant, channel: str = Channel.SMS, phone: str = PHONE) -> Notification:
    """One SMS or WhatsApp message the business sent through the fake (no quiet hours)."""
    with tenant_context(business):
        notification_settings_set(quiet_hours=None)
        row = notification_send(
            kind=Kind.CREDIT_REMINDER,
            channel=channel,
            event=f"test:{next(_events)}",
            target="customer:1",
            recipient=phone,
            content=EmailContent(subject="Reminder", text="You owe KES 100."),
        )
    assert row.status == Status.SENT and row.provider_message_id
    return row
