"""Queuing billing's tasks from its services, by name (the tasks import the services, never the
other way), through the outbox: a task queued in a transaction goes when it commits, and waits
out a broker outage (shared_apps/outbox)."""

from __future__ import annotations

from django.conf import settings

from shared_apps.outbox.services import outbox_send

PROCESS_EVENT = "billing.process_event"
COLLECT_INVOICE = "billing.collect_invoice"


def billing_queue() -> str:
    """The queue every billing task goes to (tests give theirs a queue of their own)."""
    return str(settings.BILLING_TASK_QUEUE)


def billing_task_queue(task_name: str, *args: int) -> None:
    outbox_send(task_name, args=args, queue=billing_queue())
