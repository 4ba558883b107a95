"""The business's name and country, which the ledger's ``current_business`` does not carry."""

from __future__ import annotations

from django.db import connection

from saas_platform.tenancy import current_schema


def _tenant_field(name: str) -> str:
    tenant = getattr(connection, "tenant", None)
    value = getattr(tenant, name, None)
    if not value:
        # schema_context sets a stand-in that knows only the schema; read the row instead.
        from shared_apps.tenants.models import Tenant

        value = (
            Tenant.objects.filter(schema_name=current_schema()).values_list(name, flat=True).first()
        )
    return str(value or "")


def business_country() -> str:
    return _tenant_field("country").upper()


def business_name() -> str:
    return _tenant_field("name")
