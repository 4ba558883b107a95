"""The long frame turned into a dense, right-aligned panel: one row per series, one column per
period, every series' last observed period in the same column. Lags and windows are then column
offsets, and one forecasting step is one column for all series at once."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .frequency import Frequency, resolve

KNOWN_NUMERIC = ("price", "discount")


@dataclass
class Panel:
    freq: Frequency
    ids: pd.Index  # the series' unique_id values, in row order
    y: np.ndarray  # (n, pad + length + horizon) float32; NaN: unknown (missing, stock-out, future)
    pad: int  # columns of NaN on the left, so that lags of the first period index in bounds
    length: int  # history columns (the longest series' span)
    horizon: int
    base: np.ndarray  # (n,) period index of history column 0 of each series
    first: np.ndarray  # (n,) history column of each series' first row
    observed: np.ndarray  # (n,) observed (non-stock-out) history points
    known: dict[str, np.ndarray]  # price, discount: (n, pad + length + horizon) float32
    category: np.ndarray  # (n,) int32 category code, -1 when none

    @property
    def n(self) -> int:
        return len(self.ids)

    def history(self) -> np.ndarray:
        return self.y[:, self.pad : self.pad + self.length]

    def truncated(self, cut: int, *, carry_known: bool) -> Panel:
        """The panel as it stood ``cut`` periods before its end, forecasting the ``horizon``
        periods from there: a validation window inside the history (its actual values stay
        in this panel's ``y``). ``carry_known``: the window's prices and discounts are the last
        known ones carried forward, as a forecast without ``features`` sees them; otherwise
        the actual ones, as a forecast given the planned prices sees them."""
        end = self.pad + self.length - cut
        y = self.y[:, : end + self.horizon].copy()
        y[:, end:] = np.nan
        known = {}
        for name, grid in self.known.items():
            window = grid[:, : end + self.horizon].copy()
            if carry_known:
                window[:, end:] = window[:, end - 1 : end]
            known[name] = window
        observed = (~np.isnan(y[:, self.pad : end])).sum(axis=1)
        return Panel(
            freq=self.freq, ids=self.ids, y=y, pad=self.pad, length=self.length - cut,
            horizon=self.horizon, base=self.base, first=self.first, observed=observed,
            known=known, category=self.category,
        )  # fmt: skip


def build(
    history: pd.DataFrame,
    *,
    freq: str,
    horizon: int,
    future: pd.DataFrame | None = None,
) -> Panel:
    """Validates ``history`` (unique_id, ds, y, optional price, discount, category, in_stock)
    and lays it out; ``future`` gives known features (price, discount) of future periods."""
    missing = {"unique_id", "ds", "y"} - set(history.columns)
    if missing:
        raise ValueError(f"history lacks columns: {', '.join(sorted(missing))}")
    if horizon < 1:
        raise ValueError("horizon must be at least 1")
    if history.empty:
        raise ValueError("history is empty")
    ds = pd.to_datetime(history["ds"])
    frequency = resolve(freq, ds)
    pad = frequency.history_needed + 1
    period = frequency.index_of(ds)
    codes, ids = pd.factorize(history["unique_id"], sort=True)
    if np.any(codes < 0):
        raise ValueError("unique_id must not be empty")
    n = len(ids)
    if pd.Series(codes * (period.max() - period.min() + 1) + period).duplicated().any():
        raise ValueError("history has more than one row for a series and date")

    end = np.full(n, np.iinfo(np.int64).min)
    np.maximum.at(end, codes, period)
    start = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(start, codes, period)
    length = int((end - start).max()) + 1
    base = end - (length - 1)
    width = pad + length + horizon
    column = pad + (period - base[codes])

    y = np.full((n, width), np.nan, dtype=np.float32)
    values = pd.to_numeric(history["y"], errors="raise").to_numpy(np.float32, na_value=np.nan)
    if np.any(values < 0):
        raise ValueError("y must not be negative (units sold)")
    y[codes, column] = values
    if "in_stock" in history.columns:
        # in_stock False or 0 (a missing flag counts as in stock)
        out_rows = history["in_stock"].eq(0).fillna(False).to_numpy(bool)
        y[codes[out_rows], column[out_rows]] = np.nan  # unknown demand, not zero demand

    known: dict[str, np.ndarray] = {}
    for name in KNOWN_NUMERIC:
        if name not in history.columns:
            continue
        grid = np.full((n, width), np.nan, dtype=np.float32)
        grid[codes, column] = pd.to_numeric(history[name]).to_numpy(np.float32, na_value=np.nan)
        known[name] = grid
    if future is not None and known:
        _place_future(future, frequency, ids, base, pad, length, horizon, known)
    for grid in known.values():
        _forward_fill(grid)

    category = np.full(n, -1, dtype=np.int32)
    if "category" in history.columns:
        last = history.groupby(codes, sort=True)["category"].last()
        category_codes, _ = pd.factorize(last, sort=True)
        category[last.index.to_numpy()] = category_codes

    hist = y[:, pad : pad + length]
    observed = (~np.isnan(hist)).sum(axis=1)
    first = (start - base).astype(np.int64)
    return Panel(
        freq=frequency, ids=ids, y=y, pad=pad, length=length, horizon=horizon, base=base,
        first=first, observed=observed, known=known, category=category,
    )  # fmt: skip


def _place_future(
    future: pd.DataFrame,
    frequency: Frequency,
    ids: pd.Index,
    base: np.ndarray,
    pad: int,
    length: int,
    horizon: int,
    known: dict[str, np.ndarray],
) -> None:
    if not {"unique_id", "ds"} <= set(future.columns):
        raise ValueError("features must have columns unique_id and ds")
    rows = ids.get_indexer(pd.Index(future["unique_id"]))
    column = frequency.index_of(pd.to_datetime(future["ds"])) - base[np.maximum(rows, 0)]
    keep = (rows >= 0) & (column >= length) & (column < length + horizon)
    for name, grid in known.items():
        if name in future.columns:
            values = pd.to_numeric(future[name]).to_numpy(np.float32, na_value=np.nan)
            grid[rows[keep], pad + column[keep]] = values[keep]


def _forward_fill(grid: np.ndarray) -> None:
    """Carries each row's last known value forward, in place (future prices when not given)."""
    columns = np.arange(grid.shape[1])
    last = np.where(np.isnan(grid), 0, columns[None, :])
    np.maximum.accumulate(last, axis=1, out=last)
    filled = np.take_along_axis(grid, last, axis=1)
    grid[:] = filled
