from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django_tenants.utils import get_public_schema_name

from shared_apps.tenants.models import Domain, Tenant, TenantStatus


@transaction.atomic
def ensure_public_tenant() -> Tenant:
    """The platform's own row, routed from the root domain. Idempotent."""
    tenant, _ = Tenant.objects.get_or_create(
        schema_name=get_public_schema_name(),
        defaults={
            "slug": "public",
            "name": "Duka platform",
            "status": TenantStatus.ACTIVE,
            "country": "KE",
            "currency": "USD",
            "time_zone": "UTC",
        },
    )
    Domain.objects.update_or_create(
        domain=settings.PLATFORM_DOMAIN, defaults={"tenant": tenant, "is_primary": True}
    )
    return tenant
