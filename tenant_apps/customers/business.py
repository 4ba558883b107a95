"""The business's name and country, which the ledger's ``current_business`` does not carry."""

from __future__ import annotations

from shared_apps.tenants.selectors import tenant_of_connection


def business_country() -> str:
    return str(tenant_of_connection().country or "").upper()


def business_name() -> str:
    return str(tenant_of_connection().name or "")
