"""Absolute links to a business's site, as we show them to people."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from shared_apps.tenants.models import Tenant


def tenant_base_url(tenant: Tenant) -> str:
    port = f":{settings.PLATFORM_URL_PORT}" if settings.PLATFORM_URL_PORT else ""
    domain = tenant.get_primary_domain()
    host = domain.domain if domain else f"{tenant.slug}.{settings.PLATFORM_DOMAIN}"
    return f"{settings.PLATFORM_URL_SCHEME}://{host}{port}"


def tenant_url(tenant: Tenant, view_name: str, **kwargs: Any) -> str:
    """The absolute link to the route ``view_name`` (``"<app>:<entity>-<action>"``) of ``tenant``.

    Reversed in the business hosts' URLconf whichever is serving: signup runs on the root
    domain, whose URLconf has none of a business's routes.
    """
    path = reverse(view_name, kwargs=kwargs or None, urlconf=settings.ROOT_URLCONF)
    return tenant_base_url(tenant) + path
