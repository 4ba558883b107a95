"""Two years of sales history for the demo business, so `make run` shows real forecasts,
reorder suggestions and how far to trust them.

The history is drawn by the engine's generator (trend, weekly and yearly seasons, Kenyan
holidays, promotions, stock-outs, intermittent slow movers, a few new products) and brought in
the way a business brings its previous system's sales: a CSV file through the history import.
The books and stock are untouched (the import never reaches them), and the first training is
queued for the worker that `make run` starts.
"""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

from saas_platform.safe_csv import csv_writer
from saas_platform.tenancy import current_business
from tenant_apps.catalog.models import Product, ProductKind
from tenant_apps.forecasting.engine.synthetic import generate_sales
from tenant_apps.forecasting.history import HISTORY_DAYS
from tenant_apps.forecasting.history_import import (
    COLUMNS,
    history_end,
    sales_history_import,
)
from tenant_apps.forecasting.models import ForecastRun, SalesHistoryDay
from tenant_apps.forecasting.services import forecast_run_request

CENT = Decimal("0.01")
UNIT = Decimal("0.001")


def seed_demo_history(*, location_code: str = "STORE", seed: int = 2611) -> None:
    """Idempotent: the history once, and a first training if the business has none."""
    if not SalesHistoryDay.objects.exists():
        sales_history_import(content=demo_history_csv(location_code=location_code, seed=seed))
    if not ForecastRun.objects.exists():
        forecast_run_request(actor=None)


def demo_history_csv(*, location_code: str, seed: int) -> str:
    """The import file: one row per product and day with a sale, ending the day before the
    business's first sale in Duka, at each product's own price less the day's promotion."""
    products = list(
        Product.objects.filter(
            kind=ProductKind.STOCK, is_active=True, price__gt=0, variants__isnull=True
        ).order_by("pk")
    )
    end = history_end()
    start = end - timedelta(days=HISTORY_DAYS)
    frame = generate_sales(
        len(products), HISTORY_DAYS, start=start.isoformat(), seed=seed,
        country=current_business().country or None,
    )  # fmt: skip
    frame = frame[frame["y"] > 0]
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    codes = frame["unique_id"].cat.codes.to_numpy()  # P00012 is the 13th product
    for index, ds, units, discount in zip(
        codes, frame["ds"], frame["y"], frame["discount"], strict=True
    ):
        product = products[index]
        listed = product.price.amount * Decimal(int(units))
        given = (listed * Decimal(str(round(float(discount), 2)))).quantize(CENT)
        writer.writerow([
            ds.date().isoformat(), product.sku, location_code,
            Decimal(int(units)).quantize(UNIT), listed - given, given,
        ])  # fmt: skip
    return out.getvalue()
