"""Seasonal naive: each future period repeats the same period one season earlier. The fallback
for series with too little history, and the baseline the model is measured against."""

from __future__ import annotations

import numpy as np


def seasonal_naive(history: np.ndarray, season: int, horizon: int) -> np.ndarray:
    """(n, horizon) forecasts from right-aligned ``history`` (n, length), NaN where unknown.

    A stock-out or a missing period in the last season is taken from the season before; what
    is still unknown (or a series shorter than a season) gets the mean of its last two seasons,
    and a series with nothing observed gets 0."""
    length = history.shape[1]
    m = min(season, length)
    last = history[:, length - m :].copy()
    if length >= 2 * m:
        earlier = history[:, length - 2 * m : length - m]
        last = np.where(np.isnan(last), earlier, last)
    recent = history[:, max(0, length - 2 * season) :]
    seen = ~np.isnan(recent)
    mean = np.where(seen, recent, 0).sum(axis=1) / np.maximum(seen.sum(axis=1), 1)
    last = np.where(np.isnan(last), mean[:, None], last)
    steps = np.arange(horizon) % m
    return last[:, steps].astype(np.float32)


def seasonal_errors(history: np.ndarray, season: int) -> tuple[np.ndarray, np.ndarray]:
    """Per series: the mean absolute in-sample error of seasonal naive (lag ``season``), and
    the number of pairs it was measured on. Where a series has no pair a season apart, the
    lag-1 (naive) error instead: the scale of MASE."""
    seasonal = _abs_diff(history, season)
    naive = _abs_diff(history, 1)
    total = np.where(seasonal[1] > 0, seasonal[0], naive[0])
    count = np.where(seasonal[1] > 0, seasonal[1], naive[1])
    return np.where(count > 0, total / np.maximum(count, 1), np.nan), count


def residual_quantiles(history: np.ndarray, season: int, quantiles: list[float]) -> np.ndarray:
    """(n, len(quantiles)) spread of the in-sample seasonal-naive errors around their median,
    for the fallback's upper (and lower) quantiles; 0 where nothing was measured."""
    n, length = history.shape
    lag = season if length > season else 1
    diff = history[:, lag:] - history[:, :-lag] if length > lag else np.full((n, 1), np.nan)
    diff = np.sort(diff, axis=1)  # NaN last
    count = (~np.isnan(diff)).sum(axis=1)
    out = np.zeros((n, len(quantiles)), dtype=np.float32)
    rows = np.flatnonzero(count > 0)
    for j, q in enumerate(quantiles):
        at = np.floor(q * (count[rows] - 1)).astype(np.int64)
        mid = np.floor(0.5 * (count[rows] - 1)).astype(np.int64)
        out[rows, j] = diff[rows, at] - diff[rows, mid]
    return out


def _abs_diff(history: np.ndarray, lag: int) -> tuple[np.ndarray, np.ndarray]:
    n, length = history.shape
    if length <= lag:
        return np.zeros(n), np.zeros(n, dtype=np.int64)
    diff = np.abs(history[:, lag:].astype(np.float64) - history[:, :-lag])
    seen = ~np.isnan(diff)
    return np.where(seen, diff, 0).sum(axis=1), seen.sum(axis=1)
