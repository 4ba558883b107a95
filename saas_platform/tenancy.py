"""Typed access to django-tenants' schema switching on the default connection."""

from __future__ import annotations

from typing import Protocol, cast

from django.db import connection


class _TenantAwareConnection(Protocol):
    schema_name: str

    def set_schema_to_public(self) -> None: ...


def current_schema() -> str:
    return cast(_TenantAwareConnection, connection).schema_name


def use_public_schema() -> None:
    """Points the connection back at the public schema (tenants, domains, platform data)."""
    cast(_TenantAwareConnection, connection).set_schema_to_public()
