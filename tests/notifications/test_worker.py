"""On a real Celery worker: the worker killed with SIGKILL while the SMS provider holds its
answer (the message already taken), the task run again on a new worker: one SMS in all, and the
log says its outcome is unknown rather than sending it twice."""

from __future__ import annotations

import os
import secrets
import signal
from collections.abc import Callable
from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from devtools.notification_fakes import NotificationFakes
from shared_apps.tenants.models import Tenant
from shared_apps.users.models import User
from tenant_apps.catalog.models import Product
from tenant_apps.inventory.models import Location
from tenant_apps.inventory.services import stock_threshold_set
from tenant_apps.notifications import tasks
from tenant_apps.notifications.models import Notification, Status
from tenant_apps.notifications.services import notification_settings_set, preferences_update
from tests.support.waiting import wait_until
from tests.support.workers import start_worker, stop_worker

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_worker_killed_mid_send_then_a_rerun_sends_one_sms(
    business: Tenant,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
    notification_fakes: NotificationFakes,
) -> None:
    sugar = make_product(name="Sugar 1kg")
    receive(sugar, store, "1")
    with tenant_context(business):
        notification_settings_set(quiet_hours=None)
        preferences_update(
            user=User.objects.get(email=business.owner_email),
            phone="+254712345678",
            choices=[("low_stock", "sms", True), ("low_stock", "email", False)],
        )
        stock_threshold_set(product=sugar, location=store, threshold=Decimal(5))
    queue = f"test-{secrets.token_hex(4)}"
    env = {**notification_fakes.settings(), "NOTIFICATION_SENDING_LEASE": "0"}
    notification_fakes.sms.answer_late(60, count=100)

    worker = start_worker(queue, **env)
    try:
        with tenant_context(business):
            tasks.stock_alerts.apply_async(queue=queue)
        assert wait_until(lambda: len(notification_fakes.sms.messages) == 1, timeout=120)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        stop_worker(worker)

    with tenant_context(business):
        assert Notification.objects.get(channel="sms").status == Status.SENDING
    notification_fakes.sms.answer_late(0, count=0)
    worker = start_worker(queue, **env)
    try:
        with tenant_context(business):
            tasks.stock_alerts.apply_async(queue=queue).get(timeout=120)
    finally:
        stop_worker(worker)

    assert len(notification_fakes.sms.messages) == 1
    with tenant_context(business):
        row = Notification.objects.get(channel="sms")
    assert row.status == Status.UNKNOWN and row.attempts == 1
