"""A business's sales history as the engine reads it: one row per product, location and day
from the product's first sale to yesterday, days without a sale as zero (the engine takes a
missing day for unknown, not for none sold).

Units are what completed sales took (a voided sale never happened); the price is the day's
average unit price and the discount the share of the list amount given away, so promotions are
features the model can learn from. Location: the till's shop."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd
from django.db.models import F, QuerySet, Sum
from django.db.models.functions import TruncDate

from saas_platform.tenancy import business_today, business_zone, start_of_day
from tenant_apps.forecasting.history_import import history_end
from tenant_apps.forecasting.models import SalesHistoryDay
from tenant_apps.sales.models import SaleLine, SaleStatus

HISTORY_DAYS = 730  # two years: the yearly season, twice


def series_id(product_id: int, location_id: int) -> str:
    return f"{product_id}:{location_id}"


def split_series_id(value: str) -> tuple[int, int]:
    product, location = value.split(":")
    return int(product), int(location)


def sales_history(
    *,
    today: date | None = None,
    days: int = HISTORY_DAYS,
    product_id: int | None = None,
    location_id: int | None = None,
) -> pd.DataFrame:
    """``unique_id`` ("product:location"), ``ds``, ``y``, ``price``, ``discount``, ``category``
    for the ``days`` before ``today`` (the business's today by default, itself left out: it is
    not over); only one product's or location's series when they are given."""
    today = today or business_today()
    first = today - timedelta(days=days)
    lines = SaleLine.objects.filter(
        sale__status=SaleStatus.COMPLETED,
        sale__completed_at__gte=start_of_day(first),
        sale__completed_at__lt=start_of_day(today),
    )
    imported = SalesHistoryDay.objects.filter(day__gte=first)
    if product_id is not None:
        lines = lines.filter(product_id=product_id)
        imported = imported.filter(product_id=product_id)
    if location_id is not None:
        lines = lines.filter(sale__register__location_id=location_id)
        imported = imported.filter(location_id=location_id)
    rows = (
        lines.annotate(ds=TruncDate("sale__completed_at", tzinfo=business_zone()))
        .values("ds", "product_id", location_id=F("sale__register__location_id"))
        .annotate(
            y=Sum("quantity"),
            gross=Sum("gross"),
            listed=Sum("list_net"),
            given=Sum("discount_net"),
            category=F("product__category_id"),
        )
        .order_by()
    )
    frame = pd.DataFrame.from_records([*rows, *_imported(imported, today)])
    columns = ["unique_id", "ds", "y", "price", "discount", "category"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame["unique_id"] = [
        series_id(p, loc) for p, loc in zip(frame["product_id"], frame["location_id"], strict=True)
    ]
    frame["ds"] = pd.to_datetime(frame["ds"])
    for column in ("y", "gross", "listed", "given"):
        frame[column] = frame[column].astype("float64")
    frame["price"] = frame["gross"] / frame["y"].where(frame["y"] > 0)
    frame["discount"] = (frame["given"] / frame["listed"].where(frame["listed"] > 0)).fillna(0.0)
    frame["category"] = frame["category"].astype("float64")
    frame = frame.groupby(["unique_id", "ds"], as_index=False).agg(
        y=("y", "sum"), price=("price", "mean"), discount=("discount", "mean"),
        category=("category", "first"),
    )  # fmt: skip
    return _dense(frame, last=pd.Timestamp(today - timedelta(days=1)))[columns]


def _imported(days: QuerySet[SalesHistoryDay], today: date) -> list[dict[str, Any]]:
    """Days imported from the business's previous system, shaped as the sales rows above.
    The import ends them before the first sale in Duka; the filter on that day keeps a sale
    made later with an earlier date (an offline sale synced late) from being counted twice."""
    end = min(history_end(), today)
    rows = days.filter(day__lt=end).values_list(
        "day", "product_id", "location_id", "units", "gross", "discount", "product__category_id"
    )
    return [
        {"ds": day, "product_id": product, "location_id": location, "y": units,
         "gross": gross, "listed": gross + given, "given": given, "category": category}
        for day, product, location, units, gross, given, category in rows
    ]  # fmt: skip


def _dense(frame: pd.DataFrame, *, last: pd.Timestamp) -> pd.DataFrame:
    """Every day from each series' first sale to ``last``: zero units where none sold, the
    last known price carried forward, no discount, the series' category."""
    parts = []
    for unique_id, rows in frame.groupby("unique_id", sort=True):
        days = pd.date_range(rows["ds"].min(), last, freq="D")
        full = rows.set_index("ds").reindex(days)
        full["unique_id"] = unique_id
        full["y"] = full["y"].fillna(0.0)
        full["price"] = full["price"].ffill().bfill()
        full["discount"] = full["discount"].fillna(0.0)
        full["category"] = rows["category"].iloc[0]
        parts.append(full.rename_axis("ds").reset_index())
    return pd.concat(parts, ignore_index=True)
