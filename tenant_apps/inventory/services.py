from __future__ import annotations

from django.db import transaction

from tenant_apps.inventory.models import Location


@transaction.atomic
def location_create(*, code: str, name: str, kind: str, is_default: bool = False) -> Location:
    location = Location(code=code, name=name, kind=kind, is_default=is_default)
    location.full_clean()
    location.save()
    return location
