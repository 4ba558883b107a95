"""The owner's and manager's forecasting pages, ``/forecasts/`` on the business's own host:
how far to trust the forecasts, a search for any product's forecast, what to order now (and
the drafts of those orders), and, for the owner, the cashiers whose voids, refunds, discounts
or drawer openings stand out; then a product's own page (its chart, stock and days) and the
sales behind a cashier's count.

The pages read what the API reads and their two forms call the same services as the API
(docs/forecasting.md, "The page"): training is queued for the worker, never run in the request.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.timezone import localtime
from django.views.decorators.http import require_GET, require_POST
from moneyed import Money

from saas_platform.errors import DukaError
from saas_platform.money import format_amount
from saas_platform.tenancy import business_today, business_zone, current_business
from tenant_apps.catalog.selectors import product_find
from tenant_apps.forecasting.chart import forecast_chart
from tenant_apps.forecasting.history import sales_history
from tenant_apps.forecasting.models import ProductForecast
from tenant_apps.forecasting.reorder import latest_run, reorder_draft_orders, reorder_suggestions
from tenant_apps.forecasting.selectors import forecast_list, forecast_run_list, forecast_search
from tenant_apps.forecasting.services import forecast_run_request
from tenant_apps.inventory.selectors import location_find
from tenant_apps.inventory.stock import stock_available
from tenant_apps.sales.anomalies import METRICS, anomaly_evidence, anomaly_report
from tenant_apps.sales.receipts.data import receipt_path
from tenant_apps.staff.access import Action
from tenant_apps.staff.page_access import page_allows, page_require
from tenant_apps.staff.selectors import staff_get

ANOMALY_DAYS = 30
METRIC_LABELS = {
    "voids": "Voids",
    "refunds": "Refunds",
    "discounts": "Discounts",
    "price_overrides": "Price overrides",
    "no_sales": "No-sale openings",
}
SUGGESTIONS_SHOWN = 200
FOUND_SHOWN = 50
PAST_DAYS = 56  # the chart's sold days before the forecast: eight weeks of weekly pattern
METHODS = {
    "lightgbm": "the model, trained on all your products' sales",
    "blend": "a blend of the model and “the same weekday last week”, which erred least on "
    "the weeks before",
    "seasonal_naive": "“the same weekday last week”: too little history for the model, or the "
    "model did no better on the weeks before",
}


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    page_require(request, Action.FORECASTING_VIEW)
    run = latest_run()
    newest = forecast_run_list().first()
    suggestions = [s for s in reorder_suggestions() if s.quantity > 0]
    query = request.GET.get("q", "")[:100]
    found = forecast_search(run=run, text=query, first_day=business_today(), limit=FOUND_SHOWN + 1)
    cashiers = None
    if page_allows(request, Action.SALES_ANOMALIES):
        start, end = _anomaly_period()
        report = anomaly_report(start=start, end=end)
        cashiers = [
            {
                "id": c.cashier_id,
                "name": c.name or c.email,
                "sales": c.sales,
                # (metric, count, flagged): each count links to the sales behind it
                "counts": [(m, c.metrics[m].count, m in c.flagged) for m in METRICS],
                "flagged": [METRIC_LABELS[m] for m in c.flagged],
            }
            for c in report.cashiers
        ]
    context = {
        "tenant": current_business(),
        "run": run,
        "active": newest if newest and newest.status in ("queued", "running") else None,
        "trust": _trust(run.mase, run.mase_naive) if run else None,
        "trained_at": _local(run.finished_at if run else None),
        "query": query,
        "found": found[:FOUND_SHOWN],
        "found_more": len(found) > FOUND_SHOWN,
        "suggestions": suggestions[:SUGGESTIONS_SHOWN],
        "suggestions_total": len(suggestions),
        "without_supplier": sum(1 for s in suggestions if s.supplier_id is None),
        "cashiers": cashiers,
        "metric_labels": [METRIC_LABELS[m] for m in METRICS],
        "may_run": page_allows(request, Action.FORECASTING_RUN),
        "may_draft": page_allows(request, Action.PURCHASING_MANAGE),
    }
    return render(request, "forecasting/overview.html", context)


@login_required
@require_GET
def product_forecast(request: HttpRequest, product: int, location: int) -> HttpResponse:
    """One product's forecast at one shop: the last eight weeks sold and the next 28 days
    (median and high case) as a chart, then day by day."""
    page_require(request, Action.FORECASTING_VIEW)
    item, place = product_find(product), location_find(location)
    if item is None or place is None:
        raise Http404("No such product or shop.")
    days = list(forecast_list(run=latest_run(), product_id=item.pk, location_id=place.pk))
    sold = sales_history(days=PAST_DAYS, product_id=item.pk, location_id=place.pk)
    past = [(ds.date(), float(y)) for ds, y in zip(sold["ds"], sold["y"], strict=True)]
    future = [(day.day, float(day.p50), float(day.p90)) for day in days]
    available = stock_available(item, place)
    (suggestion,) = reorder_suggestions(location_id=place.pk, product_id=item.pk) or (None,)
    context = {
        "tenant": current_business(),
        "product": item,
        "location": place,
        "days": days,
        "chart": forecast_chart(past, future) if past or future else None,
        "method": METHODS.get(days[0].method, days[0].method) if days else "",
        "available": available,
        "suggestion": suggestion,
        "cover": _days_of_cover(available, days),
        "week": _totals(days[:7]),
        "month": _totals(days),
    }
    return render(request, "forecasting/product.html", context)


def _days_of_cover(available: Decimal, days: list[ProductForecast]) -> int | None:
    """How many whole forecast days ``available`` units last at the median; None when they
    outlast the forecast."""
    left = available
    for count, day in enumerate(days):
        left -= day.p50
        if left < 0:
            return count
    return None


def _totals(days: list[ProductForecast]) -> dict[str, Decimal]:
    return {
        "p50": sum((day.p50 for day in days), Decimal(0)),
        "p90": sum((day.p90 for day in days), Decimal(0)),
    }


@login_required
@require_GET
def cashier_evidence(request: HttpRequest, person: int, metric: str) -> HttpResponse:
    """The sales (or drawer openings) behind one count of the cashiers table, each linked to
    its receipt: what an owner reads before speaking to the cashier."""
    page_require(request, Action.SALES_ANOMALIES)
    cashier = staff_get(person)
    if metric not in METRICS or cashier is None:
        raise Http404("No such person or signal.")
    start, end = _anomaly_period()
    tenant = current_business()
    rows = [
        {
            "at": _local(item.at),
            "receipt": item.receipt_number,
            "url": receipt_path(tenant, item.sale_uuid) if item.sale_uuid else "",
            "amount": format_amount(Money(item.amount, tenant.currency))
            if item.amount is not None
            else "",
            "detail": item.detail,
        }
        for item in anomaly_evidence(cashier_id=cashier.pk, metric=metric, start=start, end=end)
    ]
    context = {
        "tenant": tenant,
        "cashier": cashier.full_name or cashier.email,
        "metric": METRIC_LABELS[metric],
        "start": start,
        "end": end,
        "rows": rows,
    }
    return render(request, "forecasting/cashier_evidence.html", context)


def _anomaly_period() -> tuple[date, date]:
    """The last ANOMALY_DAYS days, today included, in the shop's own calendar."""
    today = business_today()
    return today - timedelta(days=ANOMALY_DAYS - 1), today


def _local(moment: datetime | None) -> str:
    """In the shop's own time (the template's date filter would show the server's)."""
    return localtime(moment, business_zone()).strftime("%-d %b %Y, %H:%M") if moment else ""


def _trust(mase: float | None, naive: float | None) -> str:
    """MASE beside seasonal naive's, in words an owner reads."""
    if mase is None or naive is None or naive <= 0:
        return "Too little history was held out to say how accurate these are."
    change = 1 - mase / naive
    if change >= 0:
        return (
            f"On the last 28 days, held out, these forecasts erred {change:.0%} less than "
            "“the same weekday last week”."
        )
    return (
        f"On the last 28 days, held out, these forecasts erred {-change:.0%} more than “the "
        "same weekday last week”: read them with care."
    )


def _act(request: HttpRequest, action: Action, work: Callable[[], str]) -> HttpResponseRedirect:
    """Runs a service for the page and comes back to it with what happened, or with the
    service's refusal as the API would have said it."""
    page_require(request, action)
    try:
        messages.success(request, work())
    except DukaError as error:
        messages.error(request, error.message)
    return redirect("forecasting-page:overview")


@login_required
@require_POST
def train(request: HttpRequest) -> HttpResponseRedirect:
    def queue() -> str:
        run = forecast_run_request(actor=request.user)
        return f"Training run {run.pk} asked for: this page shows its forecasts when it is done."

    return _act(request, Action.FORECASTING_RUN, queue)


@login_required
@require_POST
def draft_orders(request: HttpRequest) -> HttpResponseRedirect:
    def draft() -> str:
        orders = reorder_draft_orders(actor=request.user)
        if not orders:
            return "Nothing to draft: no suggestion has a supplier yet."
        count = len(orders)
        return f"{count} draft purchase order(s), one per supplier: review them before placing."

    return _act(request, Action.PURCHASING_MANAGE, draft)
