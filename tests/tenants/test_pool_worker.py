"""The spare-schema pool is refilled by a real Celery worker over Redis."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from shared_apps.tenants import schema_pool
from shared_apps.tenants.tasks import refill_schema_pool

ROOT = Path(__file__).resolve().parents[2]


def _drop_spares() -> None:
    with connection.cursor() as cursor:
        for name in schema_pool.spare_schemas():
            cursor.execute(f'DROP SCHEMA "{name}" CASCADE')


@pytest.fixture
def worker_queue() -> Iterator[str | None]:
    """A Celery worker on a queue of its own, against the test database; None without Redis."""
    if not settings.REDIS_URL:
        # No broker configured: tasks run in-process, as in development.
        yield None
        return
    queue = f"test-{secrets.token_hex(4)}"
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_NAME_OVERRIDE": connection.settings_dict["NAME"],
        "TENANT_SCHEMA_POOL_SIZE": "2",
    }
    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "saas_platform", "worker", "--pool=solo",
         "-Q", queue, "--without-heartbeat", "--without-gossip", "--without-mingle",
         "-l", "warning"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    try:
        yield queue
    finally:
        worker.terminate()
        worker.wait(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_worker_refills_the_pool(worker_queue: str | None, settings: Any) -> None:
    settings.TENANT_SCHEMA_POOL_SIZE = 2
    _drop_spares()
    try:
        # when the refill task is queued
        if worker_queue is None:
            made = refill_schema_pool.delay().get(timeout=120)
        else:
            made = refill_schema_pool.apply_async(queue=worker_queue).get(timeout=120)

        # then the worker cloned two current spares, committed for every connection to see
        assert made == 2
        fingerprint = schema_pool.template_fingerprint()
        spares = schema_pool.spare_schemas()
        assert len(spares) == 2
        assert all(name.startswith(f"spare_{fingerprint}_") for name in spares)
    finally:
        _drop_spares()
