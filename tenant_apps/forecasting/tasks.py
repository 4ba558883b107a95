"""Forecasting's tasks, on the ``forecasting`` queue (settings.FORECASTING_TASK_QUEUE)."""

from __future__ import annotations

from celery import shared_task

from saas_platform.task_kinds import idempotent_task
from shared_apps.tenants.fan_out import per_business
from tenant_apps.forecasting.services import (
    RUN_TASK,
    forecast_nightly,
    forecast_run_execute,
    forecasting_queue,
)


@idempotent_task(RUN_TASK)
def run(run_id: int) -> str | None:
    """Trains one queued run (a second delivery finds it taken or done, and does nothing)."""
    done = forecast_run_execute(run_id=run_id)
    return done.status if done else None


@per_business(queue=forecasting_queue)
@shared_task(name="forecasting.nightly")
def nightly() -> int | None:
    queued = forecast_nightly()
    return queued.pk if queued else None
