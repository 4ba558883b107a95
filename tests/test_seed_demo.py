"""`manage.py seed_demo`: the demo business `make run` serves, seeded once and checked whole.

One test seeds it (twice: the second run must change nothing) and checks each part in turn:
seeding takes half a minute, too long to repeat per part.

- people: one user per role, whose logins the command prints;
- sales: real checkouts in closed shifts, numbered, booked, in balance, stock in step;
- what an owner is shown: two years of imported history (never in the books), a forecast
  trained on it that beats seasonal naive, reorder suggestions, and the cashier whose no-sale
  drawer openings stand out.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django_tenants.utils import tenant_context

from saas_platform.tenancy import business_today
from shared_apps.tenants.models import Tenant
from shared_apps.users.models import Role, User
from tenant_apps.forecasting.history import HISTORY_DAYS
from tenant_apps.forecasting.models import ForecastRun, ProductForecast, SalesHistoryDay
from tenant_apps.forecasting.reorder import reorder_suggestions
from tenant_apps.forecasting.services import forecast_run_execute
from tenant_apps.inventory.selectors import stock_drift
from tenant_apps.ledger.models import JournalEntry
from tenant_apps.ledger.selectors import trial_balance
from tenant_apps.sales.anomalies import anomaly_report
from tenant_apps.sales.demo import DEMO_NO_SALES, DEMO_OTHER_SALES, DEMO_SALES
from tenant_apps.sales.models import Register, Sale, Shift

pytestmark = pytest.mark.django_db


def test_the_demo_business_is_seeded_once_with_people_sales_history_and_forecasts() -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    with tenant_context(Tenant.objects.get(slug="demo")):
        entries = JournalEntry.objects.count()
    call_command("seed_demo", stdout=StringIO())  # a second run changes nothing

    with tenant_context(Tenant.objects.get(slug="demo")):
        assert JournalEntry.objects.count() == entries
        _check_people(out.getvalue())
        _check_sales()
        _check_forecasts_and_anomalies()


def _check_people(printed: str) -> None:
    roles = sorted(User.objects.values_list("role", flat=True))
    cashier = User.objects.get(role=Role.CASHIER)
    assert cashier.check_password("demo-cashier-pass-2026")
    assert cashier.pin_hash
    assert roles == sorted(Role.values)
    for role in Role.values:
        assert f"{role}@demo.duka.test" in printed


def _check_sales() -> None:
    till = Register.objects.get(code="TILL2")
    sold = Sale.objects.filter(register=till).values_list("receipt_number", flat=True)
    assert sorted(number or 0 for number in sold) == list(range(1, DEMO_SALES + 1))
    shift = Shift.objects.get(register=till)
    assert shift.status == "closed"
    assert shift.variance is not None and shift.variance.amount == Decimal("-50")
    others = Sale.objects.filter(register__code="TILL1")
    assert others.count() == sum(DEMO_OTHER_SALES)
    assert Shift.objects.filter(status="closed").count() == 1 + len(DEMO_OTHER_SALES)
    assert JournalEntry.objects.filter(source="sale").count() == DEMO_SALES + others.count()
    balance = trial_balance(as_of=business_today())
    assert balance.total_debit == balance.total_credit
    assert stock_drift() == []


def _check_forecasts_and_anomalies() -> None:
    today = business_today()
    history = SalesHistoryDay.objects.order_by("day")
    assert history.first().day == today - timedelta(days=HISTORY_DAYS)  # type: ignore[union-attr]
    assert history.last().day == today - timedelta(days=1)  # type: ignore[union-attr]
    assert history.values("product").distinct().count() > 200

    run = ForecastRun.objects.get()  # queued once by the seed, for `make run`'s worker
    entries = JournalEntry.objects.count()
    forecast_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "done", run.error
    assert run.mase is not None and run.mase_naive is not None
    assert run.mase < 0.85 * run.mase_naive
    assert ProductForecast.objects.filter(run=run, method="lightgbm").exists()
    assert run.fallback_series  # the generator's new products: too little history
    assert JournalEntry.objects.count() == entries  # history never reaches the books
    assert any(s.quantity > 0 for s in reorder_suggestions(location_id=None))

    report = anomaly_report(start=today - timedelta(days=29), end=today)
    flagged = {c.name: c.flagged for c in report.cashiers}
    assert flagged.pop("Chebet Cashier") == ["no_sales"]
    assert set(flagged) == {"Baraka Manager", "Amina Owner"}
    assert not any(flagged.values())
    assert max(c.metrics["no_sales"].count for c in report.cashiers) == DEMO_NO_SALES
