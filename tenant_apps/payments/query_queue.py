"""Queuing a payment's status query by the task's name, so that the services never import the
tasks module (the tasks import the services: one direction, no circle). A running query task
says which queue it came from, and the query it schedules next goes back to the same one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

from shared_apps.outbox.services import outbox_send

QUERY_TASK = "payments.query"

# The queue the running query task came from.
_current_queue: ContextVar[str | None] = ContextVar("payments_query_queue", default=None)


def query_queue() -> str | None:
    return _current_queue.get() or settings.PAYMENT_TASK_QUEUE or None


@contextmanager
def running_query_from(queue: str | None) -> Iterator[None]:
    """While a query task runs: the queue its message came from (its routing key)."""
    token = _current_queue.set(queue or None)
    try:
        yield
    finally:
        _current_queue.reset(token)


def query_enqueue(payment_id: int, *, delay: float) -> None:
    """The status query of ``payment_id``, ``delay`` seconds from now, in the current business's
    schema, sent through the outbox once the caller's transaction commits."""
    outbox_send(QUERY_TASK, args=[payment_id], countdown=delay, queue=query_queue())
