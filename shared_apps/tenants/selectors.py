from __future__ import annotations

from django.db.models import QuerySet

from shared_apps.tenants.models import Tenant


def tenant_list() -> QuerySet[Tenant]:
    return Tenant.objects.exclude(schema_name="public").prefetch_related("domains")


def tenant_by_slug(slug: str) -> Tenant | None:
    return Tenant.objects.filter(slug=slug).first()
