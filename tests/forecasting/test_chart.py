"""The forecast chart's geometry (chart.py): axes that start at zero and end on a round number
above everything drawn, the past before the forecast, the band above the median."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tenant_apps.forecasting.chart import forecast_chart

START = date(2026, 11, 1)


def _xy(points: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in (p.split(",") for p in points.split())]


def test_the_axes_fit_everything_and_the_forecast_follows_the_past() -> None:
    past = [(START + timedelta(days=d), float(5 + d % 7)) for d in range(56)]
    future = [(START + timedelta(days=56 + d), 6.0, 9.0 + d % 3) for d in range(28)]

    chart = forecast_chart(past, future)

    labels = [float(tick.label) for tick in chart.y_ticks]
    assert labels[0] == 0 and labels[-1] >= 11  # the highest value drawn: 5 + 6
    assert labels == sorted(labels) and len(set(labels)) == len(labels)
    sold, median, band = _xy(chart.past), _xy(chart.median), _xy(chart.band)
    assert max(x for x, _ in sold) < chart.today < min(x for x, _ in median)
    assert chart.plot_left == pytest.approx(sold[0][0])
    assert chart.plot_right == pytest.approx(median[-1][0])
    # SVG's y grows downwards: the high case is drawn above (smaller y) the median
    high = band[:28]
    assert all(h[1] < m[1] for h, m in zip(high, median, strict=True))
    assert all(chart.plot_top <= y <= chart.plot_bottom for _, y in sold + band)


def test_a_product_never_sold_or_never_forecast_still_draws() -> None:
    only_past = forecast_chart([(START, 0.0), (START + timedelta(days=1), 0.0)], [])
    only_future = forecast_chart([], [(START, 2.0, 3.0)])

    assert only_past.median == "" and only_past.y_ticks[-1].label == "1"
    assert only_future.past == "" and len(_xy(only_future.band)) == 2
    with pytest.raises(ValueError, match="at least one day"):
        forecast_chart([], [])
