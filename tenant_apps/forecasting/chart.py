"""A product's recent sales and its forecast as the geometry of a small SVG chart, computed
here so the page's template only places it: no JavaScript and no charting library reach the
browser (pages are server-rendered, docs/architecture.md).

The x axis is days, one step each, past then future; the y axis is units from zero to a round
number above the highest value. The forecast is drawn as its median line and, above it, the
band up to the high case (p90)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 28  # room for the axis labels


@dataclass(frozen=True)
class Tick:
    at: float  # the pixel position along its axis
    label: str


@dataclass(frozen=True)
class ForecastChart:
    width: int
    height: int
    past: str  # polyline points of the units sold
    median: str  # polyline points of the forecast's p50
    band: str  # polygon points between p50 and p90
    today: float  # x of the line between the last day sold and the first forecast
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    y_ticks: list[Tick]
    x_ticks: list[Tick]


def forecast_chart(
    past: Sequence[tuple[date, float]], future: Sequence[tuple[date, float, float]]
) -> ForecastChart:
    """``past``: (day, units sold), oldest first; ``future``: (day, p50, p90), first first."""
    days = [day for day, _ in past] + [day for day, _, _ in future]
    if not days:
        raise ValueError("a chart needs at least one day")
    first = min(days)
    span = max((max(days) - first).days, 1)
    highest = max([units for _, units in past] + [p90 for *_, p90 in future] + [1.0])
    step = _round_step(highest / 4)
    top = step * math.ceil(highest / step)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: date) -> float:
        return LEFT + plot_w * (day - first).days / span

    def y(units: float) -> float:
        return TOP + plot_h * (1 - max(units, 0.0) / top)

    def points(pairs: Sequence[tuple[float, float]]) -> str:
        return " ".join(f"{px:.1f},{py:.1f}" for px, py in pairs)

    median = [(x(day), y(p50)) for day, p50, _ in future]
    high = [(x(day), y(p90)) for day, _, p90 in future]
    boundary = future[0][0] if future else max(days)
    return ForecastChart(
        width=WIDTH,
        height=HEIGHT,
        past=points([(x(day), y(units)) for day, units in past]),
        median=points(median),
        band=points(high + median[::-1]),
        today=x(boundary) - (plot_w / span / 2 if future and past else 0),
        plot_left=LEFT,
        plot_right=WIDTH - RIGHT,
        plot_top=TOP,
        plot_bottom=HEIGHT - BOTTOM,
        y_ticks=[Tick(y(step * k), f"{step * k:g}") for k in range(round(top / step) + 1)],
        # A label a fortnight, from the first day: readable on a phone's width too.
        x_ticks=[Tick(x(day), day.strftime("%-d %b")) for day in sorted(days)[::14]],
    )


def _round_step(value: float) -> float:
    """The gridline step: the smallest of 1, 2, 2.5 or 5 times a power of ten that is at least
    ``value`` (a quarter of the highest value: three to four gridlines above zero)."""
    power = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 2.5, 5):
        if factor * power >= value:
            return factor * power
    return 10 * power
