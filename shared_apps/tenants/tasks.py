from __future__ import annotations

from celery import shared_task

from saas_platform.tenancy import use_public_schema
from shared_apps.tenants import schema_pool


@shared_task(name=schema_pool.REFILL_TASK)
def refill_schema_pool() -> int:
    """Clones spare tenant schemas so the next signups only need a rename."""
    use_public_schema()
    return schema_pool.refill_pool()
