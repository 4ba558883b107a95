"""Periodic work that every business needs, one task per business.

Beat sends one ``tenants.fan_out`` message naming a per-business task; the fan-out queues that
task once per active business, inside its schema (tenant-schemas-celery stamps the schema on
each message). One long loop over every business would stop at the first failure and grow with
the number of businesses; one message each is retried, timed and spread over the workers on its
own. Only tasks registered here may be fanned out: a message naming anything else is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from celery import shared_task
from django_tenants.utils import tenant_context

from shared_apps.tenants.models import BLOCKED_STATUSES
from shared_apps.tenants.selectors import tenant_list

_T = TypeVar("_T")

# Task name → (task, the queue it goes to when the beat entry names none).
_PER_BUSINESS: dict[str, tuple[Any, Callable[[], str | None]]] = {}


def _no_queue() -> str | None:
    return None


def per_business(*, queue: Callable[[], str | None] = _no_queue) -> Callable[[_T], _T]:
    """Marks a task as one the fan-out may queue for every business."""

    def register(task: _T) -> _T:
        _PER_BUSINESS[task.name] = (task, queue)  # type: ignore[attr-defined]
        return task

    return register


@shared_task(name="tenants.fan_out")
def fan_out(task_name: str, queue: str | None = None) -> int:
    """Queues ``task_name`` once per business that is neither suspended nor cancelled; returns
    how many were queued."""
    if task_name not in _PER_BUSINESS:
        raise ValueError(f"{task_name!r} is not a per-business task.")
    task, default_queue = _PER_BUSINESS[task_name]
    queued = 0
    for tenant in tenant_list().exclude(status__in=BLOCKED_STATUSES):
        with tenant_context(tenant):
            task.apply_async(queue=queue or default_queue())
        queued += 1
    return queued
