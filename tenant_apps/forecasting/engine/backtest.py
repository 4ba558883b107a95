"""``backtest``: hold out the last ``horizon`` points of every series, forecast them from the
rest, and score the model and seasonal naive with MASE.

What is scored is what ``forecast`` serves: the fit on the rest makes its own choice between
the model and seasonal naive from validation windows inside the rest (``selection.py``), never
from the held-out points."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Unpack

import numpy as np
import pandas as pd

from .model import BLEND, FALLBACK, ForecastOptions, fit_predict, quantile_column, to_frame
from .naive import seasonal_errors, seasonal_naive


@dataclass
class BacktestResult:
    """``per_series``: unique_id, model (which method forecast it: lightgbm, seasonal_naive or
    blend), model_weight (the model's share of it), mase, mase_naive, points (held-out points
    scored). ``mase`` and ``mase_naive``: means over the series that
    could be scored; ``improvement``: 1 - mase / mase_naive (0.25 = 25% lower error).
    ``coverage``: share of held-out points at or under the highest quantile (for p90, about
    0.9 when the quantile is right). ``forecasts``: the forecasts beside the actual ``y``."""

    per_series: pd.DataFrame
    mase: float
    mase_naive: float
    improvement: float
    coverage: float
    forecasts: pd.DataFrame

    @property
    def fallback(self) -> list[Any]:
        rows = self.per_series["model"] == FALLBACK
        return sorted(self.per_series.loc[rows, "unique_id"].tolist())

    @property
    def blended(self) -> list[Any]:
        rows = self.per_series["model"] == BLEND
        return sorted(self.per_series.loc[rows, "unique_id"].tolist())

    def summary(self) -> str:
        return (
            f"MASE served {self.mase:.3f}, seasonal naive {self.mase_naive:.3f} "
            f"({self.improvement:+.1%} lower), {len(self.per_series)} series "
            f"({len(self.fallback)} on seasonal naive, {len(self.blended)} blended), "
            f"coverage of the top quantile {self.coverage:.1%}"
        )


def backtest(
    history: pd.DataFrame, horizon: int, freq: str, **options: Unpack[ForecastOptions]
) -> BacktestResult:
    """Scores ``forecast`` on the last ``horizon`` points of each series (see the module),
    called with the same keyword options (``quantiles``, ``features``, ``country``…).

    MASE of a series = mean |actual - p50 served| over its held-out points / the mean absolute error
    of seasonal naive (season 7 daily, 52 weekly, 12 monthly) inside its training part, or of
    the naive lag-1 forecast where the training part is shorter than a season. Stock-out days
    (``in_stock`` false) are not scored: their demand is unknown. Series left with no training
    point, or with a zero scale (a constant series), are not scored."""
    frame = history.sort_values(["unique_id", "ds"], kind="stable")
    from_end = frame.groupby("unique_id", sort=False).cumcount(ascending=False)
    held = frame[from_end.to_numpy() < horizon]
    train = frame[from_end.to_numpy() >= horizon]
    if train.empty:
        raise ValueError("no series has more than horizon points")
    if options.get("features") is None:
        # The held-out rows' own prices and discounts are known in advance (planned promotions).
        known = [c for c in ("price", "discount") if c in held.columns]
        options["features"] = held[["unique_id", "ds", *known]] if known else None
    run = fit_predict(train, horizon, freq, **options)
    predicted = to_frame(run)
    panel = run.panel
    hist = panel.history()
    naive = seasonal_naive(hist, panel.freq.season, horizon)
    scale, _ = seasonal_errors(hist, panel.freq.season)
    predicted["naive"] = naive.reshape(-1)
    rows = np.repeat(np.arange(panel.n), horizon)
    predicted["scale"] = scale[rows]

    actual = held[["unique_id", "ds", "y"]].copy()
    actual["ds"] = pd.to_datetime(actual["ds"])
    if "in_stock" in held.columns:
        actual = actual[~held["in_stock"].eq(0).fillna(False).to_numpy(bool)]
    scored = predicted.merge(actual, on=["unique_id", "ds"], how="inner")
    p50 = quantile_column(0.5) if 0.5 in run.quantiles else quantile_column(run.quantiles[0])
    top = quantile_column(run.quantiles[-1])
    scored["error"] = (scored["y"] - scored[p50]).abs()
    scored["error_naive"] = (scored["y"] - scored["naive"]).abs()
    scored["covered"] = scored["y"] <= scored[top]
    grouped = scored.groupby("unique_id", sort=True)
    per_series = pd.DataFrame(
        {
            "model": grouped["model"].first(),
            "model_weight": grouped["model_weight"].first(),
            "mase": grouped["error"].mean() / grouped["scale"].first(),
            "mase_naive": grouped["error_naive"].mean() / grouped["scale"].first(),
            "points": grouped.size(),
        }
    )
    per_series = per_series.replace([np.inf, -np.inf], np.nan).reset_index()
    good = per_series.dropna(subset=["mase", "mase_naive"])
    model_mase = float(good["mase"].mean()) if len(good) else float("nan")
    naive_mase = float(good["mase_naive"].mean()) if len(good) else float("nan")
    return BacktestResult(
        per_series=per_series,
        mase=model_mase,
        mase_naive=naive_mase,
        improvement=1 - model_mase / naive_mase if naive_mase else float("nan"),
        coverage=float(scored["covered"].mean()) if len(scored) else float("nan"),
        forecasts=scored.drop(columns=["scale", "error", "error_naive", "covered"]),
    )


def mase(actual: np.ndarray, predicted: np.ndarray, insample: np.ndarray, season: int) -> float:
    """MASE of one series: mean |actual - predicted| over the in-sample seasonal-naive MAE (lag
    ``season``, or lag 1 when ``insample`` is shorter than a season). NaN when undefined."""
    scale, _ = seasonal_errors(np.asarray(insample, dtype=np.float64)[None, :], season)
    error = np.nanmean(np.abs(np.asarray(actual, float) - np.asarray(predicted, float)))
    return float(error / scale[0]) if scale[0] > 0 else float("nan")
