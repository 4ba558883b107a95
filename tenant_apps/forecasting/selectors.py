from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TypedDict

from django.db.models import Q, QuerySet, Sum

from saas_platform.errors import NotFound
from saas_platform.list_filters import filter_given
from tenant_apps.forecasting.models import ForecastRun, ProductForecast


def forecast_run_get(run_id: int) -> ForecastRun:
    run = ForecastRun.objects.filter(pk=run_id).first()
    if run is None:
        raise NotFound("No such forecast run.", code="run_not_found")
    return run


def forecast_run_list() -> QuerySet[ForecastRun]:
    return ForecastRun.objects.order_by("-created_at", "-pk")


def forecast_list(
    *, run: ForecastRun | None, product_id: int | None = None, location_id: int | None = None
) -> QuerySet[ProductForecast]:
    """The forecasts of ``run`` (None: before the first run, none)."""
    if run is None:
        return ProductForecast.objects.none()
    rows = ProductForecast.objects.filter(run=run).select_related("product", "location")
    rows = filter_given(rows, product_id=product_id, location_id=location_id)
    return rows.order_by("product_id", "location_id", "day")


class ProductForecastSummary(TypedDict):
    product_id: int
    product__name: str
    product__sku: str
    location_id: int
    location__name: str
    week: Decimal


def forecast_search(
    *, run: ForecastRun | None, text: str, first_day: date, limit: int = 50
) -> list[ProductForecastSummary]:
    """Products of ``run``'s forecasts whose name or SKU contains ``text``, each with its
    location and the median units of its first seven days from ``first_day``, by name."""
    if run is None or not text.strip():
        return []
    needle = text.strip()
    rows = (
        ProductForecast.objects.filter(run=run)
        .filter(Q(product__name__icontains=needle) | Q(product__sku__icontains=needle))
        .values("product_id", "product__name", "product__sku", "location_id", "location__name")
        .annotate(
            week=Sum("p50", filter=Q(day__gte=first_day, day__lt=first_day + timedelta(days=7)))
        )
        .order_by("product__name", "location__name")
    )
    return list(rows[:limit])
