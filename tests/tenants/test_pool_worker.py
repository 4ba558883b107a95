"""The spare-schema pool is refilled by a real Celery worker over Redis."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from shared_apps.tenants import schema_pool
from shared_apps.tenants.tasks import refill_schema_pool


def _drop_spares() -> None:
    with connection.cursor() as cursor:
        for name in schema_pool.spare_schemas():
            cursor.execute(f'DROP SCHEMA "{name}" CASCADE')


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("no_spares")  # the test suite's own spares set aside, not dropped
def test_worker_refills_the_pool(worker_queue: str, settings: Any) -> None:
    settings.TENANT_SCHEMA_POOL_SIZE = 2
    _drop_spares()
    try:
        # when the refill task is queued
        made = refill_schema_pool.apply_async(queue=worker_queue).get(timeout=120)

        # then the worker cloned two current spares, committed for every connection to see
        assert made == 2
        fingerprint = schema_pool.template_fingerprint()
        spares = schema_pool.spare_schemas()
        assert len(spares) == 2
        assert all(name.startswith(f"spare_{fingerprint}_") for name in spares)
    finally:
        _drop_spares()
