"""Notification tasks, on the ``notifications`` queue (``NOTIFICATIONS_TASK_QUEUE``), each in
one business's schema and safe to run twice: every message is claimed under its unique key
before it is sent (services.py)."""

from __future__ import annotations

from typing import Any

from saas_platform.task_kinds import idempotent_task
from shared_apps.tenants.fan_out import per_business
from tenant_apps.notifications import producers
from tenant_apps.notifications.queueing import DELIVER, RECEIPT_EMAIL, notifications_queue
from tenant_apps.notifications.services import notification_deliver


@per_business(queue=notifications_queue)
@idempotent_task("notifications.stock_alerts")
def stock_alerts() -> int:
    return producers.stock_alerts_notify()


@per_business(queue=notifications_queue)
@idempotent_task("notifications.scheduled")
def scheduled() -> dict[str, Any]:
    """Hourly: whatever of the business's 09:00 work is due (each once per local date)."""
    return {
        "daily_summary": producers.daily_summary_send(),
        "reports": producers.period_reports_send(),
        "credit_reminders": producers.credit_reminders_send(),
    }


@idempotent_task(DELIVER)
def deliver(notification_id: int) -> str | None:
    row = notification_deliver(notification_id=notification_id)
    return row.status if row is not None else None


@idempotent_task(RECEIPT_EMAIL)
def receipt_email(sale_uuid: str, to: str, request_id: str) -> str:
    from tenant_apps.sales.receipts.mail import receipt_email_send

    return receipt_email_send(sale_uuid=sale_uuid, to=to, request_id=request_id)
