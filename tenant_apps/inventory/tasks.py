"""Periodic inventory work, fanned out to every business's schema."""

from __future__ import annotations

from celery import shared_task
from django_tenants.utils import tenant_context

from shared_apps.tenants.selectors import tenant_list
from tenant_apps.inventory.alerts import expiring_batch_alerts_refresh
from tenant_apps.inventory.services import reservations_expire


@shared_task(name="inventory.expire_reservations")
def expire_reservations() -> int:
    return reservations_expire()


@shared_task(name="inventory.refresh_expiry_alerts")
def refresh_expiry_alerts() -> int:
    return expiring_batch_alerts_refresh()


@shared_task(name="inventory.fan_out")
def fan_out(task_name: str, queue: str | None = None) -> int:
    """Queues ``task_name`` once per business, each run inside that business's schema."""
    task = {
        "expire_reservations": expire_reservations,
        "refresh_expiry_alerts": refresh_expiry_alerts,
    }[task_name]
    queued = 0
    for tenant in tenant_list().exclude(status__in=["suspended", "cancelled"]):
        with tenant_context(tenant):
            # tenant-schemas-celery stamps the current schema on the message.
            task.apply_async(queue=queue)
        queued += 1
    return queued
