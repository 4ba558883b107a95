"""``forecast``: one global LightGBM model per call over all series, one booster per quantile.

Strategy: recursive. One model per quantile learns the next period from lags and windows of
the series itself; the horizon is then walked one period at a time, all series at once, each
step's median written back into the panel for the next step's lags. A direct strategy would
need one model per horizon step (28 for daily data, times two quantiles) or lags no shorter
than the horizon, which throws away last week's sales, the strongest signal for the first days.
Recursion costs 28 cheap predictions of a few thousand rows; its compounding error is bounded
because the windows (7, 28, 91 days) and the same-weekday mean dominate later steps.
The other quantiles read the same median path: the p90 says how high demand may go given the
most likely recent past, which is what safety stock needs.

Selection: the model is not served blindly. Where it would lose to seasonal naive (a series
that is a steady weekly pattern plus noise, a lone series it cannot learn much from), the
validation windows before the forecast origin say so (``selection.py``): each series is served
``w * model + (1 - w) * seasonal naive``, ``w`` in 0, 0.25, ... 1, the blend that erred least
there. The output names the method (``model``) and ``model_weight`` of every series.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict, Unpack

import numpy as np
import pandas as pd

from .features import FeatureBuilder
from .naive import residual_quantiles, seasonal_errors, seasonal_naive
from .panel import Panel, build
from .selection import WEIGHTS, blend_errors, choose_weights

MODEL = "lightgbm"
FALLBACK = "seasonal_naive"
BLEND = "blend"  # the model and seasonal naive, weighted by model_weight


@dataclass(frozen=True)
class Settings:
    """LightGBM's knobs. The defaults are sized for a business of 5,000 products x 2 years of
    daily sales on 2 cores (docs/forecasting.md has the figures)."""

    num_boost_round: int = 150
    learning_rate: float = 0.1
    num_leaves: int = 63
    min_data_in_leaf: int = 100
    max_bin: int = 63
    feature_fraction: float = 0.8
    bagging_fraction: float = 0.5
    max_train_rows: int = 400_000
    # LightGBM's threads: the cores one training may have to itself. A host that runs
    # several trainings at once (worker concurrency, test processes) gives each fewer through
    # FORECAST_THREADS: more threads than free cores make every parallel step wait for a
    # thread that is not running.
    num_threads: int = field(default_factory=lambda: int(os.environ.get("FORECAST_THREADS", 2)))
    # Validation windows (each one horizon long, the latest first) for choosing between the
    # model and seasonal naive; 0 serves the model to every series with enough history. Each
    # window is one more training of the median booster alone, so there are only as many as
    # fit in max_train_rows cells of history: one for a business of 5,000 products x 2 years
    # (about a third more time), up to this many for a small one (fractions of a second).
    validation_windows: int = 3
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Run:
    """What one fit-and-forecast leaves behind (``backtest`` reads the panel's history)."""

    panel: Panel
    quantiles: list[float]
    values: np.ndarray  # (n, horizon, len(quantiles)) forecasts, non-negative, sorted
    uses_model: np.ndarray  # (n,) bool: False where the history is too short for the model
    # (n,) the model's share of the served forecast, the rest seasonal naive's: 0 for a short
    # series or one the validation windows gave to seasonal naive, 1 for the model alone.
    weight: np.ndarray
    # The trained boosters in LightGBM's text format, by quantile (empty: no model trained).
    models: dict[float, str] = field(default_factory=dict)


def forecast(
    history: pd.DataFrame,
    horizon: int,
    freq: str,
    quantiles: Sequence[float] = (0.5, 0.9),
    features: pd.DataFrame | None = None,
    country: str | None = None,
    *,
    seed: int = 0,
    min_history: int | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Forecasts of every series of ``history`` for the next ``horizon`` periods.

    ``history``: long frame with ``unique_id``, ``ds``, ``y`` and optionally ``price``,
    ``discount``, ``category``, ``in_stock`` (False or 0 on stock-out days: their sales say
    nothing of demand). ``freq``: "D", "W", "MS" or "M"; a weekly date names the week that
    ends on it (pandas' "W" convention), whose seven days give its holiday count: label ISO
    weeks by their Sunday, not their Monday. ``features``: future ``price`` and
    ``discount`` by ``unique_id`` and ``ds`` (else the last known value carries forward).
    ``country``: ISO code whose public holidays become features. A series with fewer than
    ``min_history`` observed periods (default two seasons plus the horizon) gets seasonal
    naive. The others get the model, seasonal naive or a blend of both, whichever erred least
    in validation windows before the forecast origin (``Settings.validation_windows``).
    Returns unique_id, ds, one column per quantile (``p50``, ``p90``…), ``model`` (the method:
    ``"lightgbm"``, ``"seasonal_naive"`` or ``"blend"``) and ``model_weight`` (the model's share,
    0 to 1; seasonal naive has the rest).
    """
    run = fit_predict(
        history, horizon, freq, quantiles=quantiles, features=features, country=country,
        seed=seed, min_history=min_history, settings=settings,
    )  # fmt: skip
    return to_frame(run)


class ForecastOptions(TypedDict, total=False):
    """What ``forecast`` takes after ``history, horizon, freq``, by keyword, for the entry
    points that pass it along (``forecast_with_models``, ``backtest``): one list, one set of
    defaults (``fit_predict``'s)."""

    quantiles: Sequence[float]
    features: pd.DataFrame | None
    country: str | None
    seed: int
    min_history: int | None
    settings: Settings | None


def forecast_with_models(
    history: pd.DataFrame, horizon: int, freq: str, **options: Unpack[ForecastOptions]
) -> tuple[pd.DataFrame, dict[str, str]]:
    """What ``forecast`` returns, and the trained boosters in LightGBM's text format by
    quantile column (``{"p50": ..., "p90": ...}``; empty when every series fell back), so a
    caller can keep the model it forecast with (``lightgbm.Booster(model_str=...)``)."""
    run = fit_predict(history, horizon, freq, **options)
    return to_frame(run), {quantile_column(q): text for q, text in run.models.items()}


def fallback_ids(result: pd.DataFrame) -> list[Any]:
    """The series of a ``forecast`` result that got seasonal naive alone, not the model: too
    short a history, or the validation windows found seasonal naive better."""
    return sorted(result.loc[result["model"] == FALLBACK, "unique_id"].unique().tolist())


def quantile_column(q: float) -> str:
    return f"p{q * 100:g}"


def fit_predict(
    history: pd.DataFrame, horizon: int, freq: str, **options: Unpack[ForecastOptions]
) -> Run:
    """The work behind ``forecast`` (which documents the options and their defaults), kept
    as a ``Run``."""
    qs = sorted({float(q) for q in options.get("quantiles", (0.5, 0.9))})
    if not qs or any(not 0 < q < 1 for q in qs):
        raise ValueError("quantiles must be between 0 and 1")
    features, country = options.get("features"), options.get("country")
    seed, min_history = options.get("seed", 0), options.get("min_history")
    settings = options.get("settings") or Settings()
    panel = build(history, freq=freq, horizon=horizon, future=features)
    season = panel.freq.season
    needed = 2 * season + horizon if min_history is None else min_history
    uses_model = panel.observed >= needed
    values = np.zeros((panel.n, horizon, len(qs)), dtype=np.float32)

    hist = panel.history()
    models: dict[float, str] = {}
    weight = np.zeros(panel.n, dtype=np.float32)
    if uses_model.any():
        trained = _model_forecast(panel, qs, country, seed, settings, uses_model)
        if trained is None:
            uses_model[:] = False
        else:
            values[uses_model], models = trained
            np.maximum(values, 0, out=values)
            values.sort(axis=2)
            weight = _select(
                panel, uses_model, needed, country, seed, settings,
                carry_known=features is None,
            )  # fmt: skip
    lean = np.flatnonzero(weight < 1)
    if len(lean):
        naive = seasonal_naive(hist[lean], season, horizon)
        spread = residual_quantiles(hist[lean], season, qs)
        fallback = naive[:, :, None] + spread[:, None, :]
        w = weight[lean, None, None]
        # Each quantile is blended with the same quantile of seasonal naive: both sides are
        # sorted (p50 <= p90), so is any weighted mean of them.
        values[lean] = w * values[lean] + (1 - w) * fallback
    np.maximum(values, 0, out=values)
    values.sort(axis=2)  # quantiles never cross: p50 <= p90
    return Run(
        panel=panel, quantiles=qs, values=values, uses_model=uses_model, weight=weight,
        models=models,
    )  # fmt: skip


def _select(
    panel: Panel,
    eligible: np.ndarray,
    needed: int,
    country: str | None,
    seed: int,
    settings: Settings,
    *,
    carry_known: bool,
) -> np.ndarray:
    """The model's weight for each series (0 where not ``eligible``), from validation windows
    that end at the forecast origin, each ``horizon`` periods long: the median booster is
    trained on the history before a window with the same settings as the served one and
    forecasts it recursively, as the served one will forecast the future; seasonal naive
    forecasts it from the same history. Nothing after the origin is read (in a backtest, the
    held-out periods are not in ``panel`` at all)."""
    weight = eligible.astype(np.float32)
    if settings.validation_windows < 1:
        return weight
    horizon, season = panel.horizon, panel.freq.season
    # A window costs one training of up to max_train_rows rows: as many windows as the history
    # has room for within that budget (a business of 5,000 products x 2 years gets one).
    cells = max(int(panel.observed.sum()), 1)
    windows = int(np.clip(settings.max_train_rows // cells, 1, settings.validation_windows))
    # Before a window a series must have what the model asks of it now, less the horizon.
    inner_needed = max(needed - horizon, season + 1)
    errors = np.zeros((panel.n, len(WEIGHTS)))
    points = np.zeros(panel.n)
    for k in range(1, windows + 1):
        if panel.length - k * horizon < inner_needed:
            break
        inner = panel.truncated(k * horizon, carry_known=carry_known)
        scored = eligible & (inner.observed >= inner_needed)
        if not scored.any():
            break
        trained = _model_forecast(inner, [0.5], country, seed, settings, scored)
        if trained is None:
            break
        rows = np.flatnonzero(scored)
        hist = inner.history()
        start = inner.pad + inner.length
        actual = panel.y[rows, start : start + horizon]
        naive = seasonal_naive(hist[rows], season, horizon)
        scale, _ = seasonal_errors(hist[rows], season)
        predicted = np.maximum(trained[0][:, :, 0], 0)
        window_errors, window_points = blend_errors(actual, predicted, naive, scale)
        errors[rows] += window_errors
        points[rows] += window_points
    # The business's verdict counts as one window of a series' own.
    weight[eligible] = choose_weights(errors[eligible], points[eligible], prior=horizon)
    return weight


def to_frame(run: Run) -> pd.DataFrame:
    panel = run.panel
    n, horizon = panel.n, panel.horizon
    rows = np.repeat(np.arange(n), horizon)
    periods = panel.base[rows] + panel.length + np.tile(np.arange(horizon), n)
    frame = pd.DataFrame({"unique_id": panel.ids.take(rows), "ds": panel.freq.dates_of(periods)})
    for j, q in enumerate(run.quantiles):
        frame[quantile_column(q)] = run.values[:, :, j].reshape(-1)
    weight = run.weight[rows]
    frame["model"] = np.where(weight >= 1, MODEL, np.where(weight <= 0, FALLBACK, BLEND))
    frame["model_weight"] = weight
    return frame


def _model_forecast(
    panel: Panel,
    qs: list[float],
    country: str | None,
    seed: int,
    settings: Settings,
    uses_model: np.ndarray,
) -> tuple[np.ndarray, dict[float, str]] | None:
    # LightGBM's OpenMP threads spin while they wait; on a machine whose cores are busy with
    # other work that spinning made training 4x slower (measured: 2 threads on 2 shared
    # cores). Passive waiting must be chosen before the OpenMP runtime loads, and a caller's
    # own choice wins.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import lightgbm as lgb

    hist = panel.history()
    seen = ~np.isnan(hist)
    level = np.where(seen, hist, 0).sum(axis=1) / np.maximum(seen.sum(axis=1), 1)
    scale = np.where(level > 0, level, 1).astype(np.float32)
    scaled = panel.y / scale[:, None]
    builder = FeatureBuilder(panel, country=country, scale=scale)

    columns = np.arange(panel.length)
    context = min(panel.freq.season, 7)
    trainable = seen & (columns[None, :] - panel.first[:, None] >= context)
    rows, cols = np.nonzero(trainable)
    if len(rows) < 50:
        return None
    if len(rows) > settings.max_train_rows:
        pick = np.random.default_rng(seed).choice(len(rows), settings.max_train_rows, replace=False)
        pick.sort()
        rows, cols = rows[pick], cols[pick]
    x, local = builder.build(rows, cols, scaled)
    target = scaled[rows, panel.pad + cols] / local
    dataset = lgb.Dataset(
        x, label=target, feature_name=builder.names, categorical_feature=builder.categorical,
        params={"max_bin": settings.max_bin, "verbosity": -1, "seed": seed}, free_raw_data=True,
    )  # fmt: skip
    del x
    small = len(rows) < 20_000
    fit = sorted(set(qs) | {0.5})
    boosters = {}
    for q in fit:
        params = {
            "objective": "quantile", "alpha": q, "learning_rate": settings.learning_rate,
            "num_leaves": 15 if small else settings.num_leaves,
            "min_data_in_leaf": int(np.clip(len(rows) // 200, 5, settings.min_data_in_leaf)),
            "feature_fraction": settings.feature_fraction,
            "bagging_fraction": settings.bagging_fraction, "bagging_freq": 1,
            "max_bin": settings.max_bin, "num_threads": settings.num_threads, "seed": seed,
            "deterministic": True, "force_row_wise": True, "verbosity": -1,
            "cat_smooth": 10, "min_data_per_group": 50,
            **settings.extra,
        }  # fmt: skip
        boosters[q] = lgb.train(params, dataset, num_boost_round=settings.num_boost_round)
    del dataset

    series = np.flatnonzero(uses_model)
    out = np.empty((len(series), panel.horizon, len(qs)), dtype=np.float32)
    for step in range(panel.horizon):
        column = np.full(len(series), panel.length + step)
        x, local = builder.build(series, column, scaled)
        predicted = {
            q: boosters[q].predict(x, num_threads=settings.num_threads) * local for q in fit
        }
        scaled[series, panel.pad + panel.length + step] = predicted[0.5]
        for j, q in enumerate(qs):
            out[:, step, j] = predicted[q]
    models = {q: boosters[q].model_to_string() for q in fit}
    return out * scale[series, None, None], models
