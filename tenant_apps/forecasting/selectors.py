from __future__ import annotations

from django.db.models import QuerySet

from saas_platform.errors import NotFound
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
    if product_id is not None:
        rows = rows.filter(product_id=product_id)
    if location_id is not None:
        rows = rows.filter(location_id=location_id)
    return rows.order_by("product_id", "location_id", "day")
