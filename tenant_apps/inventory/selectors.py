from __future__ import annotations

from django.db.models import QuerySet

from tenant_apps.inventory.models import Location


def location_list(*, active_only: bool = False) -> QuerySet[Location]:
    locations = Location.objects.all()
    return locations.filter(is_active=True) if active_only else locations
