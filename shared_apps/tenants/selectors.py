from __future__ import annotations

from django.db.models import QuerySet

from shared_apps.tenants.models import Tenant


def tenant_list() -> QuerySet[Tenant]:
    return Tenant.objects.exclude(schema_name="public").prefetch_related("domains")


def tenant_by_slug(slug: str) -> Tenant | None:
    return Tenant.objects.filter(slug=slug).first()


def tenant_of_connection() -> Tenant:
    """The business whose schema this connection is on, as a full row.

    Requests put the row on the connection; ``schema_context`` (tasks, tests, commands) puts a
    stand-in that knows only the schema, so the row is then read by schema name.
    """
    from django.db import connection

    from saas_platform.tenancy import current_schema

    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Tenant):
        return tenant
    return Tenant.objects.get(schema_name=current_schema())
