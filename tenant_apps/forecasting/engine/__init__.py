"""The forecasting engine: plain Python on pandas long frames (``unique_id``, ``ds``, ``y``),
with no Django import, so that anyone can evaluate it on any data (docs/forecasting.md)."""

from .backtest import BacktestResult, backtest, mase
from .model import (
    BLEND,
    FALLBACK,
    MODEL,
    Settings,
    fallback_ids,
    forecast,
    forecast_with_models,
    quantile_column,
)

__all__ = [
    "BLEND",
    "FALLBACK",
    "MODEL",
    "BacktestResult",
    "Settings",
    "backtest",
    "fallback_ids",
    "forecast",
    "forecast_with_models",
    "mase",
    "quantile_column",
]
