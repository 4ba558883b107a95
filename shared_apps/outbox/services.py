"""The task outbox: work queued in a transaction reaches the broker once it commits, and later
if the broker is away then (decision 0017).

``outbox_send`` writes the task in the caller's transaction, so a rolled-back request queues
nothing and a committed one loses nothing; right after the commit it is handed to the broker,
and a failure to do so is logged and left to ``outbox_drain``, which beat runs every few
seconds (``outbox.drain``). A task may therefore arrive twice (sent, then the process died
before the row went): everything sent this way must be idempotent, as our tasks are.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tenants.utils import schema_context
from kombu.exceptions import OperationalError as BrokerUnavailable

from saas_platform.celery import app
from saas_platform.locking import lock_rows
from saas_platform.tenancy import current_schema
from shared_apps.outbox.models import OutboxMessage

logger = logging.getLogger(__name__)

DRAIN_BATCH = 500


def outbox_send(
    task_name: str,
    *,
    args: Sequence[Any] = (),
    queue: str | None = None,
    countdown: float | None = None,
) -> OutboxMessage:
    """Queues ``task_name(*args)`` to run in the current schema once this transaction commits
    (at once outside one); ``queue`` None = the default queue."""
    message = OutboxMessage.objects.create(
        task_name=task_name,
        args=list(args),
        queue=queue or "",
        schema_name=current_schema(),
        not_before=timezone.now() + timedelta(seconds=countdown) if countdown else None,
    )
    transaction.on_commit(lambda: _send(pks=[message.pk]))
    return message


def outbox_drain() -> int:
    """Hands every waiting task to the broker, oldest first; returns how many went. Stops at
    the first failure (the broker is still away): the rest wait for the next drain."""
    sent = 0
    while True:
        went, taken = _send(pks=None)
        sent += went
        if taken == 0 or went < taken:
            return sent


def _send(*, pks: list[int] | None) -> tuple[int, int]:
    """Sends the rows ``pks`` (None: the oldest batch) that no other drain holds; returns how
    many went and how many were taken."""
    with transaction.atomic():
        # Locked while sent: the commit hook and beat's drain never both send one row.
        rows = OutboxMessage.objects.all()
        if pks is not None:
            batch = lock_rows(rows.filter(pk__in=pks), skip_locked=True)
        else:
            batch = lock_rows(rows, skip_locked=True, limit=DRAIN_BATCH)
        return _publish(batch), len(batch)


def _publish(messages: Sequence[OutboxMessage]) -> int:
    """Sends ``messages`` in order, deleting each row once the broker took it; how many went."""
    went = 0
    try:
        # A connection of its own to the configured broker, not the app's pool: a pool
        # connection broken by an outage would be handed out again. One try, no retries: kombu
        # would otherwise keep a request waiting some six seconds for a broker that is away,
        # and the outbox already is the retry (beat drains it every few seconds).
        with app.connection_for_write(
            settings.CELERY_BROKER_URL,
            transport_options={**app.conf.broker_transport_options, "max_retries": 0},
        ) as connection:
            for message in messages:
                _declare(connection, message.queue)
                with schema_context(message.schema_name):
                    # tenant-schemas-celery stamps the schema in force on the message.
                    app.send_task(
                        message.task_name,
                        args=message.args,
                        queue=message.queue or None,
                        eta=message.not_before,
                        connection=connection,
                        retry=False,
                    )
                OutboxMessage.objects.filter(pk=message.pk).delete()
                went += 1
    except (BrokerUnavailable, OSError) as exc:
        waiting = [m.pk for m in messages[went:]]
        OutboxMessage.objects.filter(pk__in=waiting).update(failures=F("failures") + 1)
        logger.warning("broker unavailable, %d task(s) wait in the outbox: %s", len(waiting), exc)
    return went


def _declare(connection: Any, queue: str) -> None:
    """The queue exists before a message goes to it: a broker that restarted empty (Redis
    keeps no bindings on disk) would otherwise drop it."""
    name = queue or settings.CELERY_TASK_DEFAULT_QUEUE
    app.amqp.queues[name](connection.default_channel).declare()
