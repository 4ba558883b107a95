"""Units of a metric over a period: usage events aggregated, or the business's own records.

Completed sales are counted in the business's schema at billing time (the till writes nothing
extra for metering); every other metric comes from usage events.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Max, QuerySet, Sum
from django.db.models.fields.json import KeyTextTransform
from django_tenants.utils import tenant_context

from billing.models import Aggregation, BillableMetric, UsageEvent
from shared_apps.tenants.models import Tenant
from tenant_apps.sales.models import Sale, SaleStatus

# Metrics whose units the business's own tables hold.
SALES = "sales"


def completed_sales_count(*, tenant: Tenant, start: datetime, end: datetime) -> int:
    """Sales completed in ``[start, end)`` and not voided since, read in the business's schema."""
    with tenant_context(tenant):
        return Sale.objects.filter(
            status=SaleStatus.COMPLETED, completed_at__gte=start, completed_at__lt=end
        ).count()


def _events(
    tenant: Tenant, metric: BillableMetric, start: datetime, end: datetime
) -> QuerySet[UsageEvent]:
    return UsageEvent.objects.filter(
        tenant=tenant, metric_code=metric.code, occurred_at__gte=start, occurred_at__lt=end
    )


def _property(field_name: str) -> str:
    return field_name.removeprefix("properties.")


def events_aggregate(
    *, tenant: Tenant, metric: BillableMetric, start: datetime, end: datetime
) -> Decimal:
    """``metric``'s aggregation over ``tenant``'s events in ``[start, end)``."""
    events = _events(tenant, metric, start, end)
    if metric.aggregation == Aggregation.COUNT:
        return Decimal(events.count())
    if metric.aggregation == Aggregation.UNIQUE_COUNT:
        key = _property(metric.field_name)
        found = events.annotate(value=KeyTextTransform(key, "properties")).aggregate(
            units=Count("value", distinct=True)
        )
        return Decimal(found["units"])
    if metric.aggregation == Aggregation.LATEST:
        last = events.order_by("-occurred_at", "-id").values_list("quantity", flat=True).first()
        return last if last is not None else Decimal(0)
    column = "quantity"
    total = events.aggregate(
        units=Sum(column) if metric.aggregation == Aggregation.SUM else Max(column)
    )["units"]
    return total if total is not None else Decimal(0)


def metric_units(
    *, tenant: Tenant, metric: BillableMetric, start: datetime, end: datetime
) -> Decimal:
    """The units of ``metric`` ``tenant`` used in ``[start, end)``, from its source of truth."""
    if metric.code == SALES:
        return Decimal(completed_sales_count(tenant=tenant, start=start, end=end))
    return events_aggregate(tenant=tenant, metric=metric, start=start, end=end)
