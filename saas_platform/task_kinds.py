"""The one way to declare a task that is safe to run twice (docs/cluster.md, "Task kinds").

An idempotent task is acknowledged late: a worker that dies mid-task (SIGKILL, a lost node)
leaves the message to be delivered again instead of losing it, and a task that raises one of
``retry_on`` (a gateway or network that did not answer) is retried with exponential backoff and
jitter (1 s, 2 s, 4 s… at most ``backoff_max``; the jitter keeps a thousand businesses' retries
from arriving together), up to ``max_retries`` times. Time limits are the platform's
(``CELERY_TASK_TIME_LIMIT``, soft ``CELERY_TASK_SOFT_TIME_LIMIT``) unless given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from celery import shared_task

_F = TypeVar("_F", bound=Callable[..., Any])


def idempotent_task(
    name: str,
    *,
    retry_on: tuple[type[BaseException], ...] = (),
    max_retries: int = 5,
    backoff_max: int = 600,
    **options: Any,
) -> Callable[[_F], Any]:
    return shared_task(
        name=name,
        acks_late=True,
        reject_on_worker_lost=True,
        autoretry_for=retry_on,
        retry_backoff=True,
        retry_backoff_max=backoff_max,
        retry_jitter=True,
        max_retries=max_retries,
        **options,
    )
