"""Periodic inventory work, run in every business's schema (shared_apps/tenants/fan_out.py)."""

from __future__ import annotations

from celery import shared_task

from shared_apps.tenants.fan_out import per_business
from tenant_apps.inventory.alerts import expiring_batch_alerts_refresh
from tenant_apps.inventory.services import reservations_expire


@per_business()
@shared_task(name="inventory.expire_reservations")
def expire_reservations() -> int:
    return reservations_expire()


@per_business()
@shared_task(name="inventory.refresh_expiry_alerts")
def refresh_expiry_alerts() -> int:
    return expiring_batch_alerts_refresh()
