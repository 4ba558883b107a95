"""Marks when a business last used Duka, for the platform console."""

from __future__ import annotations

from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone

from shared_apps.tenants.models import Tenant

# One write per business every few minutes is enough for "last activity".
ACTIVITY_RESOLUTION = timedelta(minutes=5)


def tenant_touch_activity(tenant: Tenant) -> None:
    # The cache key is prefixed with the current schema; the add() is atomic, so among all
    # concurrent requests of a window only one issues the UPDATE.
    if cache.add("tenant-activity-marker", 1, int(ACTIVITY_RESOLUTION.total_seconds())):
        Tenant.objects.filter(pk=tenant.pk).update(last_activity_at=timezone.now())
