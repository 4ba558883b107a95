"""What `make run` shows an owner of the demo business: two years of imported history, a
forecast trained on it that beats seasonal naive, reorder suggestions, and the cashier whose
no-sale drawer openings stand out."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django_tenants.utils import tenant_context

from saas_platform.tenancy import business_today
from shared_apps.tenants.models import Tenant
from tenant_apps.forecasting.history import HISTORY_DAYS
from tenant_apps.forecasting.models import ForecastRun, ProductForecast, SalesHistoryDay
from tenant_apps.forecasting.reorder import reorder_suggestions
from tenant_apps.forecasting.services import forecast_run_execute
from tenant_apps.inventory.selectors import stock_drift
from tenant_apps.ledger.models import JournalEntry
from tenant_apps.sales.anomalies import anomaly_report
from tenant_apps.sales.demo import DEMO_NO_SALES

pytestmark = pytest.mark.django_db


def test_the_demo_business_has_history_forecasts_reorder_suggestions_and_anomalies() -> None:
    call_command("seed_demo", stdout=StringIO())
    with tenant_context(Tenant.objects.get(slug="demo")):
        entries = JournalEntry.objects.count()
        today = business_today()
        history = SalesHistoryDay.objects.order_by("day")
        run = ForecastRun.objects.get()  # queued by the seed for `make run`'s worker
        forecast_run_execute(run_id=run.pk)
        run.refresh_from_db()
        call_command("seed_demo", stdout=StringIO())  # a second seed imports nothing again
        suggestions = reorder_suggestions(location_id=None)
        report = anomaly_report(start=today - timedelta(days=29), end=today)

        assert history.first().day == today - timedelta(days=HISTORY_DAYS)  # type: ignore[union-attr]
        assert history.last().day == today - timedelta(days=1)  # type: ignore[union-attr]
        assert history.values("product").distinct().count() > 200
        # The import never touches the books or stock; the second seed added nothing.
        assert JournalEntry.objects.count() == entries
        assert stock_drift() == []
        assert ForecastRun.objects.count() == 1
        assert run.status == "done", run.error
        assert run.mase is not None and run.mase_naive is not None
        assert run.mase < 0.85 * run.mase_naive
        assert ProductForecast.objects.filter(run=run, method="lightgbm").exists()
        assert run.fallback_series  # the generator's new products: too little history
        assert any(s.quantity > 0 for s in suggestions)
        flagged = {c.name: c.flagged for c in report.cashiers}
        assert flagged["Chebet Cashier"] == ["no_sales"]
        assert [c for c in report.cashiers if c.name != "Chebet Cashier" and c.flagged] == []
        assert report.cashiers and max(c.metrics["no_sales"].count for c in report.cashiers) == (
            DEMO_NO_SALES
        )
