"""Training a business's forecasts: asked for by an owner or manager, or nightly; run on the
``forecasting`` queue; safe to deliver twice (a run already taken is left alone)."""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from billing.entitlements import PlanLimitReached, require
from billing.models import Feature
from billing.usage import FORECAST_RUNS, usage_record
from saas_platform.tenancy import business_today, current_business, current_schema
from shared_apps.outbox.services import outbox_send
from shared_apps.users.actors import person_or_none
from tenant_apps.catalog.models import Product
from tenant_apps.forecasting.engine import (
    backtest,
    fallback_ids,
    forecast_with_models,
)
from tenant_apps.forecasting.history import sales_history, split_series_id
from tenant_apps.forecasting.models import ForecastRun, ProductForecast, RunStatus
from tenant_apps.inventory.models import Location

logger = logging.getLogger(__name__)

RUN_TASK = "forecasting.run"
HORIZON_DAYS = 28
# A run "running" for longer than this lost its worker (killed): the next delivery takes it.
STALE_AFTER = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


def forecasting_queue() -> str:
    return str(settings.FORECASTING_TASK_QUEUE)


def forecast_run_request(*, actor: Any) -> ForecastRun:
    """Queues a training of the current business (``actor`` None: the nightly one), or returns
    the run already queued or running. 402 ``plan_limit`` when the plan has no forecasting."""
    with transaction.atomic():
        require(Feature.FORECASTING)
        active = ForecastRun.objects.filter(status__in=(RunStatus.QUEUED, RunStatus.RUNNING))
        if (run := active.first()) is not None:
            return run
        try:
            with transaction.atomic():
                run = ForecastRun.objects.create(
                    requested_by=person_or_none(actor), horizon_days=HORIZON_DAYS
                )
        except IntegrityError:  # another request queued one a moment ago
            existing = active.first()
            assert existing is not None  # noqa: S101 (the constraint says one exists)
            return existing
        outbox_send(RUN_TASK, args=[run.pk], queue=forecasting_queue())
        return run


def forecast_nightly() -> ForecastRun | None:
    """The nightly run of a business whose plan includes forecasting (others: nothing)."""
    try:
        return forecast_run_request(actor=None)
    except PlanLimitReached:
        return None


def _claim(run_id: int) -> ForecastRun | None:
    """Takes the run for this worker: a queued one, or one whose worker died (stale)."""
    now = timezone.now()
    taken = ForecastRun.objects.filter(pk=run_id).filter(
        status=RunStatus.QUEUED
    ) | ForecastRun.objects.filter(
        pk=run_id, status=RunStatus.RUNNING, started_at__lt=now - STALE_AFTER
    )
    if not taken.update(status=RunStatus.RUNNING, started_at=now, progress=0, step="starting"):
        return None
    return ForecastRun.objects.get(pk=run_id)


def _progress(run: ForecastRun, percent: int, step: str) -> None:
    run.progress, run.step = percent, step
    ForecastRun.objects.filter(pk=run.pk).update(progress=percent, step=step)


def forecast_run_execute(*, run_id: int) -> ForecastRun | None:
    """Trains and forecasts; None when the run is not this delivery's to do (done already, or
    taken by a live worker)."""
    run = _claim(run_id)
    if run is None:
        return None
    try:
        _execute(run)
    except Exception as exc:
        logger.exception("forecast run %s failed", run.pk)
        ForecastRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, error=str(exc)[:500], finished_at=timezone.now()
        )
        raise
    run.refresh_from_db()
    return run


def _execute(run: ForecastRun) -> None:
    country = current_business().country or None
    _progress(run, 5, "reading the sales history")
    history = sales_history()
    if history.empty:
        ForecastRun.objects.filter(pk=run.pk).update(
            status=RunStatus.DONE, progress=100, step="no sales yet", finished_at=timezone.now()
        )
        return
    _progress(run, 20, "checking the model on the last 28 days")
    # MASE scores the median alone: the check trains no p90 booster (a seventh of the run).
    checked = backtest(history, HORIZON_DAYS, "D", quantiles=(0.5,), country=country)
    _progress(run, 55, "training on the whole history and forecasting")
    result, models = forecast_with_models(history, HORIZON_DAYS, "D", country=country)
    _progress(run, 85, "saving the forecasts")
    with transaction.atomic():
        written = _store(run, result)
        # Only the latest run's forecasts are kept: they are what the owner reads.
        ProductForecast.objects.exclude(run=run).delete()
        ForecastRun.objects.filter(pk=run.pk).update(
            status=RunStatus.DONE,
            progress=100,
            step="done",
            series=written,
            fallback_series=fallback_ids(result),
            mase=_finite(checked.mase),
            mase_naive=_finite(checked.mase_naive),
            forecast_file=_save_file(run, result),
            model_files=_save_models(run, models),
            finished_at=timezone.now(),
        )
        usage_record(
            tenant_id=current_business().pk,
            metric_code=FORECAST_RUNS,
            idempotency_key=f"forecast-run-{current_schema()}-{run.pk}",
        )


def _finite(value: float) -> float | None:
    return None if pd.isna(value) else float(value)


def _store(run: ForecastRun, result: pd.DataFrame) -> int:
    products = set(Product.objects.values_list("pk", flat=True))
    locations = set(Location.objects.values_list("pk", flat=True))
    rows = []
    series = set()
    for record in result.to_dict("records"):
        product, location = split_series_id(str(record["unique_id"]))
        if product not in products or location not in locations:
            continue  # deleted since it sold
        series.add((product, location))
        rows.append(
            ProductForecast(
                run=run,
                product_id=product,
                location_id=location,
                day=pd.Timestamp(record["ds"]).date(),
                p50=_quantity(float(record["p50"])),
                p90=_quantity(float(record["p90"])),
                # "lightgbm", "seasonal_naive" or "blend" (the engine's choice from its
                # validation windows; the blend's weight is in the run's CSV, model_weight)
                method=record["model"],
            )
        )
    ProductForecast.objects.bulk_create(rows, batch_size=5000)
    return len(series)


def _quantity(value: float) -> Decimal:
    return Decimal(str(round(float(value), 3)))


def _save_models(run: ForecastRun, models: dict[str, str]) -> dict[str, str]:
    """The trained boosters (LightGBM's text format, one per quantile) in the business's own
    media folder: the model the stored forecasts came from, for audit or reuse."""
    return {
        column: default_storage.save(
            f"forecasting/run-{run.pk}-model-{column}.txt", ContentFile(text.encode())
        )
        for column, text in models.items()
    }


def _save_file(run: ForecastRun, result: pd.DataFrame) -> str:
    """The run's forecasts as CSV in the business's own media folder (the storage puts every
    business under its schema's prefix), for the owner to download or audit later."""
    name = f"forecasting/run-{run.pk}-{business_today():%Y%m%d}.csv"
    return default_storage.save(name, ContentFile(result.to_csv(index=False).encode()))
