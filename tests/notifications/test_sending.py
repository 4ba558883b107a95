"""Each kind of notification is sent once, even when its task runs twice; quiet hours hold SMS;
preferences suppress; the 09:00 summary fires once per local day wherever the business is; a
provider outage is retried and a lost answer is never sent again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import tenant_context
from moneyed import Money

from devtools.notification_fakes import NotificationFakes
from shared_apps.tenants.models import Tenant
from shared_apps.users.models import User
from tenant_apps.catalog.models import Product
from tenant_apps.customers.services import credit_charge, customer_create
from tenant_apps.inventory.alerts import expiring_batch_alerts_refresh
from tenant_apps.inventory.models import Location
from tenant_apps.inventory.services import stock_threshold_set
from tenant_apps.notifications import producers, tasks
from tenant_apps.notifications.models import Notification, Status
from tenant_apps.notifications.services import notification_settings_set, preferences_update
from tests.support.outbox import run_waiting_tasks, waiting_tasks

pytestmark = pytest.mark.django_db

PHONE = "+254712345678"


def _owner(business: Tenant) -> User:
    return User.objects.get(email=business.owner_email)


@pytest.fixture
def low_sugar(
    business: Tenant,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
) -> Product:
    """Sugar at the store: 2 left, threshold 5, so one active low-stock alert."""
    sugar = make_product(name="Sugar 1kg")
    receive(sugar, store, "2")
    with tenant_context(business):
        stock_threshold_set(product=sugar, location=store, threshold=Decimal(5))
    return sugar


def test_a_low_stock_alert_is_one_email_per_person_even_when_the_task_runs_twice(
    business: Tenant, low_sugar: Product, member: Callable[..., User]
) -> None:
    manager = member(business, "manager")
    member(business, "cashier")  # cashiers are not told about stock

    with tenant_context(business):
        tasks.stock_alerts.run()
        tasks.stock_alerts.run()
        rows = list(Notification.objects.order_by("pk"))

    assert sorted(m.to[0] for m in mail.outbox) == sorted([business.owner_email, manager.email])
    assert all("Sugar 1kg" in m.subject and "2 left" in m.body for m in mail.outbox)
    assert [(r.kind, r.channel, r.status) for r in rows] == [("low_stock", "email", "sent")] * 2
    assert all(r.provider_message_id for r in rows)


def test_an_expiring_batch_is_announced_once_by_sms_to_who_asked(
    business: Tenant,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
    notification_fakes: NotificationFakes,
) -> None:
    milk = make_product(name="Milk 500ml")
    with tenant_context(business):
        notification_settings_set(quiet_hours=None)
        preferences_update(
            user=_owner(business),
            phone="0712 345 678",
            choices=[("expiring_batch", "sms", True), ("expiring_batch", "email", False)],
        )
    receive(milk, store, "10", expires_on=date.today() + timedelta(days=3))
    with tenant_context(business):
        expiring_batch_alerts_refresh()
        tasks.stock_alerts.run()
        tasks.stock_alerts.run()
        statuses = sorted(Notification.objects.values_list("channel", "status"))

    (sms,) = notification_fakes.sms.messages
    assert sms["to"] == PHONE and "Milk 500ml" in sms["text"]
    assert statuses == [("email", "suppressed"), ("sms", "sent")]
    assert mail.outbox == []


def test_preferences_suppress_and_nothing_is_sent(
    business: Tenant, low_sugar: Product, notification_fakes: NotificationFakes
) -> None:
    with tenant_context(business):
        preferences_update(user=_owner(business), choices=[("low_stock", "email", False)])
        tasks.stock_alerts.run()
        (row,) = Notification.objects.all()

    assert mail.outbox == []
    assert (row.status, row.channel) == (Status.SUPPRESSED, "email")
    assert "Turned off" in row.error


def test_quiet_hours_hold_sms_until_they_end_while_email_goes(
    business: Tenant, low_sugar: Product, notification_fakes: NotificationFakes
) -> None:
    # 23:00 in Nairobi; the business's quiet hours are 21:00-07:00 (the default).
    late = datetime(2025, 3, 3, 20, 0, tzinfo=UTC)
    with tenant_context(business):
        preferences_update(user=_owner(business), phone=PHONE, choices=[("low_stock", "sms", True)])
        producers.stock_alerts_notify(now=late)
        producers.stock_alerts_notify(now=late)
        sms_row = Notification.objects.get(channel="sms")
        (held,) = waiting_tasks("notifications.deliver")

    assert len(mail.outbox) == 1  # e-mail may go at night
    assert notification_fakes.sms.messages == []
    assert sms_row.status == Status.QUEUED
    assert sms_row.send_after == datetime(2025, 3, 4, 4, 0, tzinfo=UTC)  # 07:00 in Nairobi
    assert held.args == [sms_row.pk] and held.not_before is not None
    # Queued for the end of the window: 8 hours after 23:00 (the outbox counts from its own now).
    countdown = held.not_before - timezone.now()
    assert timedelta(hours=7, minutes=55) < countdown <= timedelta(hours=8)

    run_waiting_tasks()  # the held delivery, once its time has come (now, in 2025 terms)
    run_waiting_tasks()

    (sms,) = notification_fakes.sms.messages
    assert sms["to"] == PHONE
    with tenant_context(business):
        assert Notification.objects.get(channel="sms").status == Status.SENT


def test_a_persons_own_quiet_hours_win_over_the_business(
    business: Tenant, low_sugar: Product, notification_fakes: NotificationFakes
) -> None:
    late = datetime(2025, 3, 3, 20, 0, tzinfo=UTC)  # 23:00 in Nairobi
    with tenant_context(business):
        preferences_update(
            user=_owner(business),
            phone=PHONE,
            quiet_hours=(time(1, 0), time(5, 0)),
            choices=[("low_stock", "sms", True)],
        )
        producers.stock_alerts_notify(now=late)

    assert len(notification_fakes.sms.messages) == 1


@pytest.fixture
def lagos(make_tenant: Callable[..., Tenant]) -> Tenant:
    return make_tenant(country="NG", currency="NGN", time_zone="Africa/Lagos")


def _summaries(tenant: Tenant) -> int:
    return sum(1 for m in mail.outbox if m.to == [tenant.owner_email] and "sales on" in m.subject)


def test_the_daily_summary_fires_once_per_local_day_at_nine_in_each_time_zone(
    business: Tenant, lagos: Tenant
) -> None:
    # Nairobi is UTC+3, Lagos UTC+1: 06:00 UTC is 09:00 in Nairobi and 07:00 in Lagos.
    hours = [
        datetime(2025, 3, 3, 5, 30, tzinfo=UTC),  # 08:30 / 06:30: neither
        datetime(2025, 3, 3, 6, 0, tzinfo=UTC),  # 09:00 / 07:00: Nairobi
        datetime(2025, 3, 3, 7, 0, tzinfo=UTC),  # 10:00 / 08:00: Nairobi again (same day)
        datetime(2025, 3, 3, 8, 0, tzinfo=UTC),  # 11:00 / 09:00: Lagos
        datetime(2025, 3, 3, 8, 0, tzinfo=UTC),  # the same hour twice (a rerun)
        datetime(2025, 3, 3, 22, 0, tzinfo=UTC),  # 01:00 next day / 23:00: neither
        datetime(2025, 3, 4, 6, 0, tzinfo=UTC),  # 09:00 / 07:00: Nairobi's second day
    ]
    seen: list[tuple[int, int]] = []
    for now in hours:
        for tenant in (business, lagos):
            with tenant_context(tenant):
                producers.daily_summary_send(now=now)
        seen.append((_summaries(business), _summaries(lagos)))

    assert seen == [(0, 0), (1, 0), (1, 0), (1, 1), (1, 1), (1, 1), (2, 1)]
    first = next(m for m in mail.outbox if m.to == [business.owner_email])
    assert "0 sales on Sunday 02 March 2025" in first.body
    [(html, mimetype)] = first.alternatives  # type: ignore[attr-defined]
    assert mimetype == "text/html" and "0 sales on Sunday 02 March 2025" in str(html)


def test_weekly_and_monthly_reports_go_to_owners_on_monday_and_the_first(
    business: Tenant, member: Callable[..., User]
) -> None:
    member(business, "manager")  # managers get the daily summary, not the reports
    monday_the_first = datetime(2025, 12, 1, 7, 0, tzinfo=UTC)  # 10:00 in Nairobi
    tuesday = datetime(2025, 12, 2, 7, 0, tzinfo=UTC)
    with tenant_context(business):
        due = producers.period_reports_send(now=monday_the_first)
        producers.period_reports_send(now=monday_the_first)
        assert producers.period_reports_send(now=tuesday) == []

    assert due == ["weekly_report", "monthly_report"]
    subjects = sorted(m.subject for m in mail.outbox)
    assert len(subjects) == 2 and all(m.to == [business.owner_email] for m in mail.outbox)
    assert "November 2025" in subjects[0] and "week of 24 Nov 2025" in subjects[1]


def test_a_credit_reminder_goes_at_most_once_per_customer_in_n_days(
    business: Tenant, notification_fakes: NotificationFakes, settings: Any
) -> None:
    settings.NOTIFICATION_CREDIT_REMINDER_DAYS = 7
    morning = datetime(2025, 3, 3, 7, 0, tzinfo=UTC)  # 10:00 in Nairobi
    with tenant_context(business):
        achieng = customer_create(
            name="Achieng Otieno", phone="0712345678", credit_limit=Money(5000, "KES")
        )
        credit_charge(
            customer_id=achieng.pk,
            amount=Money(300, "KES"),
            reference="INV-1",
            due_on=date(2025, 2, 20),
        )
        sent = [
            producers.credit_reminders_send(now=morning + timedelta(days=days))
            for days in (0, 0, 1, 6, 7)
        ]

    assert sent == [1, 1, 0, 0, 1]  # the same day twice is the one message
    assert len(notification_fakes.sms.messages) == 2
    assert "KES 300.00" in notification_fakes.sms.messages[0]["text"]


def test_a_provider_outage_is_retried_later_and_sent_once(
    business: Tenant, low_sugar: Product, notification_fakes: NotificationFakes
) -> None:
    with tenant_context(business):
        notification_settings_set(quiet_hours=None)
        preferences_update(user=_owner(business), phone=PHONE, choices=[("low_stock", "sms", True)])
        notification_fakes.sms.fail_next(1, status=503)
        tasks.stock_alerts.run()
        row = Notification.objects.get(channel="sms")
        assert (row.status, row.attempts) == (Status.QUEUED, 1)
        assert row.error.startswith("http_503")
        tasks.stock_alerts.run()  # a rerun leaves the retry to its own task

    assert notification_fakes.sms.messages == []
    run_waiting_tasks("notifications.deliver")

    assert len(notification_fakes.sms.messages) == 1
    with tenant_context(business):
        row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 2)


def test_an_answer_lost_after_the_provider_took_it_is_never_sent_again(
    business: Tenant, low_sugar: Product, notification_fakes: NotificationFakes, settings: Any
) -> None:
    settings.NOTIFICATION_PROVIDER_TIMEOUT = 0.3
    notification_fakes.sms.answer_late(1.0, count=5)
    with tenant_context(business):
        notification_settings_set(quiet_hours=None)
        preferences_update(user=_owner(business), phone=PHONE, choices=[("low_stock", "sms", True)])
        tasks.stock_alerts.run()
        tasks.stock_alerts.run()
        row = Notification.objects.get(channel="sms")

    assert len(notification_fakes.sms.messages) == 1
    assert row.status == Status.UNKNOWN and row.error.startswith("answer_lost")
    assert waiting_tasks() == []
