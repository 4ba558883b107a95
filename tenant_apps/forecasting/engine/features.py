"""Features of (series, period) cells of a panel, built by array gathers over all requested
cells at once: the same function builds the training matrix (every observed cell) and each
recursive step (one column for every series), so training and inference cannot drift apart."""

from __future__ import annotations

import numpy as np

from .frequency import calendar
from .panel import Panel


class FeatureBuilder:
    """Names the features and builds them; the calendar (and its holidays) is made once."""

    def __init__(self, panel: Panel, *, country: str | None, scale: np.ndarray) -> None:
        self.panel = panel
        self.scale = scale
        freq = panel.freq
        self.first_period = int(panel.base.min())
        last_period = int(panel.base.max()) + panel.length + panel.horizon
        self.calendar = calendar(freq, self.first_period, last_period, country)
        self.reference_price = np.ones(panel.n, dtype=np.float32)
        if "price" in panel.known:
            hist = panel.known["price"][:, panel.pad : panel.pad + panel.length]
            self.reference_price = _row_mean(hist)
        self.names: list[str] = [f"lag_{k}" for k in freq.lags]
        self.names += [f"mean_{w}" for w in freq.mean_windows]
        self.names += [f"std_{w}" for w in freq.std_windows]
        self.names += ["seasonal_mean"]
        if "price" in panel.known:
            self.names += ["price", "relative_price"]
        if "discount" in panel.known:
            self.names += ["discount"]
        self.names += list(self.calendar)
        self.names += ["age", "level", "local_level", "series", "category"]
        # Level-dependent features are divided by the mean of the last `local` periods (also
        # the target, by the caller): each row then says "relative to lately", which lets
        # trees follow trends and level shifts they could not extrapolate in absolute terms.
        self.local = {"D": 28, "W": 13}.get(freq.kind, 12)
        self.relative = [
            i for i, name in enumerate(self.names)
            if name.startswith(("lag_", "mean_", "std_", "seasonal_mean"))
        ]  # fmt: skip
        self.categorical = [self.names.index("series"), self.names.index("category")]

    def build(
        self, rows: np.ndarray, columns: np.ndarray, y: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Features of cells (rows[k], columns[k]) (history/future column numbers, before the
        padding) from ``y``, the panel's scaled values: float32 (cells, features), and the
        divisor of each cell (its target is y / divisor; a prediction times it is y)."""
        panel, freq = self.panel, self.panel.freq
        out = np.empty((len(rows), len(self.names)), dtype=np.float32)
        at = panel.pad + columns
        f = 0
        for k in freq.lags:
            out[:, f] = y[rows, at - k]
            f += 1
        lo, hi = int(columns.min()), int(columns.max())
        widest = max(*freq.mean_windows, *freq.std_windows, self.local)
        segment = y[:, panel.pad + lo - widest : panel.pad + hi]
        sums, squares, counts = _cumulative(segment)
        offset = columns - lo + widest  # the cell's position in the cumulative arrays
        for w in freq.mean_windows:
            total, _, count = _window(sums, squares, counts, rows, offset, w)
            out[:, f] = np.where(count > 0, total / np.maximum(count, 1), np.nan)
            f += 1
        for w in freq.std_windows:
            total, square, count = _window(sums, squares, counts, rows, offset, w)
            mean = total / np.maximum(count, 1)
            variance = np.maximum(square / np.maximum(count, 1) - mean * mean, 0)
            out[:, f] = np.where(count > 1, np.sqrt(variance), np.nan)
            f += 1
        seasonal = np.stack([y[rows, at - k] for k in freq.seasonal_lags])
        seen = ~np.isnan(seasonal)
        seasonal_sum = np.where(seen, seasonal, 0).sum(axis=0)
        out[:, f] = np.where(seen.any(axis=0), seasonal_sum / np.maximum(seen.sum(0), 1), np.nan)
        f += 1
        if "price" in panel.known:
            price = panel.known["price"][rows, at]
            out[:, f] = price
            out[:, f + 1] = price / self.reference_price[rows]
            f += 2
        if "discount" in panel.known:
            out[:, f] = panel.known["discount"][rows, at]
            f += 1
        period = panel.base[rows] + columns - self.first_period
        for values in self.calendar.values():
            out[:, f] = values[period]
            f += 1
        out[:, f] = columns - panel.first[rows]
        out[:, f + 1] = np.log1p(self.scale[rows])
        local = self.divisor(sums, counts, rows, offset)
        out[:, f + 2] = np.log(local)
        out[:, f + 3] = rows
        out[:, f + 4] = np.where(panel.category[rows] >= 0, panel.category[rows], np.nan)
        out[:, self.relative] /= local[:, None]
        return out, local

    def divisor(
        self, sums: np.ndarray, counts: np.ndarray, rows: np.ndarray, offset: np.ndarray
    ) -> np.ndarray:
        """The recent level each cell is expressed against: the mean of its last ``local``
        periods, in units of the series' own mean, floored at a quarter of it (a slow mover's
        run of zeros must not blow its features up); 1 where nothing recent was seen."""
        total = sums[rows, offset] - sums[rows, offset - self.local]
        count = counts[rows, offset] - counts[rows, offset - self.local]
        mean = np.where(count > 0, total / np.maximum(count, 1), 1.0)
        return np.maximum(mean, 0.25).astype(np.float32)


def _cumulative(segment: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    seen = ~np.isnan(segment)
    values = np.where(seen, segment, 0).astype(np.float64)
    n = segment.shape[0]
    zero = np.zeros((n, 1))
    sums = np.concatenate([zero, np.cumsum(values, axis=1)], axis=1)
    squares = np.concatenate([zero, np.cumsum(values * values, axis=1)], axis=1)
    counts = np.concatenate([zero, np.cumsum(seen, axis=1, dtype=np.float64)], axis=1)
    return sums, squares, counts


def _window(
    sums: np.ndarray, squares: np.ndarray, counts: np.ndarray, rows: np.ndarray,
    offset: np.ndarray, w: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Sum, sum of squares and count of the ``w`` periods before each cell (the cell itself
    excluded: its value is what is forecast)."""
    return (
        sums[rows, offset] - sums[rows, offset - w],
        squares[rows, offset] - squares[rows, offset - w],
        counts[rows, offset] - counts[rows, offset - w],
    )


def _row_mean(grid: np.ndarray) -> np.ndarray:
    seen = ~np.isnan(grid)
    total = np.where(seen, grid, 0).sum(axis=1, dtype=np.float64)
    count = seen.sum(axis=1)
    mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return mean.astype(np.float32)
