"""Console reads: tenants and aggregates over them, never a tenant's business records."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django_tenants.utils import get_public_schema_name
from psycopg import sql

from billing.selectors import subscriptions_by_tenant
from shared_apps.tenants.models import Tenant, TenantStatus, TenantStatusChange
from shared_apps.users.models import User

CONSOLE_PAGE_SIZE = 50


@dataclass(frozen=True)
class ConsoleTenantRow:
    tenant: Tenant
    staff_count: int
    # The subscription's plan (its name) and status; None for a business without one (made
    # before billing existed, or with the catalog emptied).
    plan: str | None = None
    subscription_status: str | None = None


def console_tenant_list(*, status: str = "", search: str = "") -> QuerySet[Tenant]:
    tenants = Tenant.objects.exclude(schema_name=get_public_schema_name())
    if status:
        tenants = tenants.filter(status=status)
    if search:
        tenants = tenants.filter(Q(slug__icontains=search) | Q(name__icontains=search))
    # Newest first, with the primary key as tie-breaker so that pages never overlap.
    return tenants.order_by("-created_at", "-pk")


def console_tenant_by_slug(*, slug: str) -> Tenant | None:
    return (
        Tenant.objects.exclude(schema_name=get_public_schema_name())
        .filter(slug=slug)
        .prefetch_related("domains")
        .first()
    )


def console_tenant_status_counts() -> dict[str, int]:
    rows = (
        Tenant.objects.exclude(schema_name=get_public_schema_name())
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return dict(rows)


def console_tenant_status_history(*, tenant: Tenant) -> QuerySet[TenantStatusChange]:
    return TenantStatusChange.objects.filter(tenant=tenant).order_by("-created_at", "-pk")


def staff_count_query(schema_names: Sequence[str]) -> sql.Composed:
    table = User._meta.db_table
    return sql.SQL(" UNION ALL ").join(
        sql.SQL("SELECT {label} AS schema_name, count(*) FROM {table} WHERE is_active").format(
            label=sql.Literal(name), table=sql.Identifier(name, table)
        )
        for name in schema_names
    )


def tenant_staff_counts(tenants: Iterable[Tenant]) -> dict[str, int]:
    """Active users per tenant schema, in one query whatever the number of tenants."""
    public = get_public_schema_name()
    schema_names = sorted({t.schema_name for t in tenants if t.schema_name != public})
    if not schema_names:
        return {}
    with connection.cursor() as cursor:
        # Rendered by psycopg with the live connection's quoting rules; no parameters are
        # passed, so a "%" inside a schema name is never read as a placeholder.
        cursor.execute(staff_count_query(schema_names).as_string(connection.connection))
        return {name: int(count) for name, count in cursor.fetchall()}


def console_tenant_rows(tenants: Iterable[Tenant]) -> list[ConsoleTenantRow]:
    """A page of businesses with their staff counts and subscriptions: two queries a page."""
    page = list(tenants)
    counts = tenant_staff_counts(page)
    subscriptions = subscriptions_by_tenant(t.pk for t in page)
    rows = []
    for tenant in page:
        subscription = subscriptions.get(tenant.pk)
        rows.append(
            ConsoleTenantRow(
                tenant=tenant,
                staff_count=counts.get(tenant.schema_name, 0),
                plan=subscription.plan.name if subscription else None,
                subscription_status=subscription.status if subscription else None,
            )
        )
    return rows


def console_status_before_suspension(*, tenant: Tenant) -> str:
    """The status a suspended business had when it was suspended, from its status history
    (every change is recorded in the same transaction as the change itself)."""
    change = (
        TenantStatusChange.objects.filter(tenant=tenant, to_status=TenantStatus.SUSPENDED)
        .exclude(from_status=TenantStatus.SUSPENDED)
        .order_by("-created_at", "-pk")
        .first()
    )
    # No record (a row edited by hand): a trial is what every business starts as, and claiming
    # "active" would say a plan is paid for when nothing says so.
    return change.from_status if change else TenantStatus.TRIALING
