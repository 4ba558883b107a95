"""Queuing notification tasks by name from services (the tasks import the services, never the
other way), through the outbox (shared_apps/outbox): a task queued in a transaction goes when it
commits, and waits out a broker outage."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings

from shared_apps.outbox.services import outbox_send

DELIVER = "notifications.deliver"
RECEIPT_EMAIL = "notifications.receipt_email"


def notifications_queue() -> str:
    return str(settings.NOTIFICATIONS_TASK_QUEUE)


def notification_task_queue(
    task_name: str, *, args: Sequence[Any], countdown: float | None = None
) -> None:
    outbox_send(task_name, args=args, queue=notifications_queue(), countdown=countdown)
