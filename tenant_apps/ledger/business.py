"""The business whose books are open on this connection: its currency and its "today".

Requests set a full ``Tenant`` on the connection; ``schema_context`` (tasks, tests, management
commands) sets a bare stand-in that knows only the schema, so the row is then read from the
public table — the search path always includes ``public``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone

from saas_platform.tenancy import current_schema


@dataclass(frozen=True)
class Business:
    currency: str
    time_zone: str


def current_business() -> Business:
    tenant = getattr(connection, "tenant", None)
    currency = getattr(tenant, "currency", None)
    zone = getattr(tenant, "time_zone", None)
    if not (currency and zone):
        from shared_apps.tenants.models import Tenant

        found = Tenant.objects.filter(schema_name=current_schema()).first()
        if found is None:
            raise RuntimeError("No business is active on this connection.")
        currency, zone = found.currency, found.time_zone
    return Business(currency=str(currency), time_zone=str(zone))


def business_date() -> date:
    """Today where the business trades (an expense at 1 am in Nairobi is not yesterday's)."""
    return timezone.localdate(timezone=ZoneInfo(current_business().time_zone))


def local_date(moment: datetime) -> date:
    """The business's calendar date of an aware datetime."""
    return timezone.localdate(moment, timezone=ZoneInfo(current_business().time_zone))
