"""Running what the task outbox holds, in this process: the tasks a request or a service queued
(``outbox_send``) are run by name in the schema that queued them, as a worker would, and their
rows removed. Outside a transactional test the outbox's on-commit send never happens, so the
rows wait here; tasks queued while running are run too."""

from __future__ import annotations

from django_tenants.utils import schema_context

from saas_platform.celery import app
from shared_apps.outbox.models import OutboxMessage


def waiting_tasks(name: str | None = None) -> list[OutboxMessage]:
    rows = OutboxMessage.objects.order_by("pk")
    return list(rows.filter(task_name=name) if name else rows)


def run_waiting_tasks(name: str | None = None) -> int:
    """Runs every waiting task (or those named ``name``), oldest first, whatever their ETA;
    returns how many ran."""
    ran = 0
    while rows := waiting_tasks(name):
        for row in rows:
            OutboxMessage.objects.filter(pk=row.pk).delete()
            with schema_context(row.schema_name):
                app.tasks[row.task_name].run(*row.args)
            ran += 1
    return ran
