"""Helpers for the audit trail tests: entries of a schema, made through real endpoints."""

from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from django.test import Client
from django_tenants.utils import schema_context

from shared_apps.tenants.models import Tenant
from tests.support.urls import tenant_path


def add_location(client: Client, code: str, **headers: Any) -> Any:
    response = client.post(
        tenant_path("inventory:location-list"),
        {"code": code, "name": f"Store {code}", "kind": "warehouse"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 201, response.content
    return response.json()


def location_entry(tenant: Tenant, location_id: int) -> LogEntry:
    with schema_context(tenant.schema_name):
        return LogEntry.objects.get(
            content_type__app_label="inventory",
            content_type__model="location",
            object_pk=str(location_id),
            action=LogEntry.Action.CREATE,
        )
