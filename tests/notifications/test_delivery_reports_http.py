"""The fakes report deliveries by themselves, over real HTTP, to the root domain of a live
server, as the providers would once their dashboards point at us: AT to the URL ending in the
platform's token, WhatsApp signed with the app secret after checking the URL with the verify
token. The log ends up saying what reached the phone."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context
from pytest_django.live_server_helper import LiveServer

from devtools.notification_fakes import NotificationFakes
from shared_apps.tenants.models import Tenant
from tenant_apps.notifications.kinds import Channel
from tenant_apps.notifications.models import Notification
from tests.notifications.conftest import SMS_REPORT_TOKEN, send_message
from tests.support.urls import root_path
from tests.support.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_fakes_report_each_message_over_http_and_the_log_follows(
    public_tenant: Tenant,  # the root domain's row: an earlier transactional test flushed it
    business: Tenant,
    notification_fakes: NotificationFakes,
    live_server: LiveServer,
) -> None:
    sms, whatsapp = notification_fakes.sms, notification_fakes.whatsapp
    # live_server.url is http://localhost:<port>: the root domain in tests.
    sms.report_url = live_server.url + root_path(
        "delivery_reports:report-africastalking", token=SMS_REPORT_TOKEN
    )
    whatsapp.report_url = live_server.url + root_path("delivery_reports:report-whatsapp")
    for fake in (sms, whatsapp):
        fake.auto_report = True
        fake.report_delay = 0.2

    subscribed = whatsapp.check_subscription()
    rows = {
        "sms": send_message(business),
        "sms to a number ending 9": send_message(business, phone="+254712345679"),
        "whatsapp": send_message(business, Channel.WHATSAPP),
        "whatsapp to a number ending 9": send_message(
            business, Channel.WHATSAPP, phone="+254712345679"
        ),
    }

    def statuses() -> dict[str, tuple[str, str]]:
        with tenant_context(business):
            found = {r.pk: r for r in Notification.objects.all()}
        return {
            name: (found[row.pk].delivery_status, found[row.pk].delivery_error)
            for name, row in rows.items()
        }

    expected = {
        "sms": ("delivered", ""),
        "sms to a number ending 9": ("failed", "AbsentSubscriber"),
        "whatsapp": ("read", ""),
        "whatsapp to a number ending 9": ("failed", "131026: Message undeliverable"),
    }
    assert subscribed
    assert wait_until(lambda: statuses() == expected, timeout=20), statuses()
    # Two reports per SMS, three per WhatsApp message (sent, then delivered and read, or failed).
    assert wait_until(lambda: len(sms.delivered) == 4 and len(whatsapp.delivered) == 5, timeout=10)
    assert {d["status"] for d in [*sms.delivered, *whatsapp.delivered]} == {200}
