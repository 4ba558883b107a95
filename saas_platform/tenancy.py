"""The tenancy API: which business this connection serves, its currency and its calendar.

Every question of the kind "whose books are these, in which money, and what day is it there"
is answered here and nowhere else (docs/tenancy.md, "The tenancy API").

Where the business comes from. django-tenants keeps a tenant on the database connection:

- a request: the full ``Tenant`` row, loaded by the routing middleware from the host;
- a Celery task: the full row too, loaded by tenant-schemas-celery from the schema the task
  carries (one query per task; none when the worker is already in that schema);
- ``tenant_context(tenant)``: the row given;
- ``schema_context(name)`` (tests, management commands, seed hooks, fan-out over tenants): a
  stand-in that knows only the schema name. The row is then read once by schema name and kept
  on the connection until the connection is pointed at another schema, so repeated calls cost
  one query per switch, not one per call.

Outside a business — the public schema, the template and spare schemas (no business owns them
yet), a connection no tenant was ever set on — every function here raises
:class:`NoCurrentBusiness`. It is a ``RuntimeError``, not a ``DukaError``: code that needs a
business ran where there is none, which is a bug in the caller, so it must surface as a 500 and
in the logs rather than as a 4xx or a silent default (UTC, "prices include tax").
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING, Protocol, cast
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

if TYPE_CHECKING:
    from shared_apps.tenants.models import Tenant

# The row read for a schema_context stand-in, with the stand-in it was read for.
_CACHE = "_duka_current_business"


class NoCurrentBusiness(RuntimeError):
    """Code that needs a business ran on a connection that serves none."""


class _TenantAwareConnection(Protocol):
    schema_name: str

    def set_schema_to_public(self) -> None: ...


def current_schema() -> str:
    return cast(_TenantAwareConnection, connection).schema_name


def use_public_schema() -> None:
    """Points the connection back at the public schema (tenants, domains, platform data)."""
    cast(_TenantAwareConnection, connection).set_schema_to_public()


def current_business() -> Tenant:
    """The business (``Tenant`` row) whose schema this connection is on.

    Raises :class:`NoCurrentBusiness` outside a business.
    """
    from shared_apps.tenants.models import Tenant

    tenant = getattr(connection, "tenant", None)
    schema = str(getattr(tenant, "schema_name", "") or "")
    if not schema or schema == get_public_schema_name():
        raise NoCurrentBusiness(
            "No business is active on this connection (it is on the public schema)."
        )
    if isinstance(tenant, Tenant):
        return tenant
    cached = getattr(connection, _CACHE, None)
    if cached is not None and cached[0] is tenant:
        return cast("Tenant", cached[1])
    found = Tenant.objects.filter(schema_name=schema).first()
    if found is None:
        raise NoCurrentBusiness(f"No business owns the schema {schema!r} this connection is on.")
    # Keyed by the stand-in itself: any schema switch replaces it, and with it this entry.
    setattr(connection, _CACHE, (tenant, found))
    return found


def business_currency() -> str:
    """The ISO 4217 code every amount of the business is in ("KES")."""
    return str(current_business().currency)


def business_zone() -> ZoneInfo:
    """The business's time zone: its days, its reports, its "overdue"."""
    return ZoneInfo(str(current_business().time_zone))


def business_today() -> date:
    """Today where the business trades (a sale at 1 am in Nairobi is not yesterday's)."""
    return timezone.localdate(timezone=business_zone())


def local_date(moment: datetime) -> date:
    """The business's calendar date of an aware datetime."""
    return timezone.localdate(moment, timezone=business_zone())


def start_of_day(day: date) -> datetime:
    """Midnight at the start of ``day`` where the business is, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=business_zone())
