"""Absolute links to a business's site, as we show them to people."""

from __future__ import annotations

from django.conf import settings

from shared_apps.tenants.models import Tenant


def tenant_base_url(tenant: Tenant) -> str:
    port = f":{settings.PLATFORM_URL_PORT}" if settings.PLATFORM_URL_PORT else ""
    domain = tenant.get_primary_domain()
    host = domain.domain if domain else f"{tenant.slug}.{settings.PLATFORM_DOMAIN}"
    return f"{settings.PLATFORM_URL_SCHEME}://{host}{port}"
