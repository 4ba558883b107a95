"""Choosing, per series, how much of the model to serve against seasonal naive.

The model is fitted again on the history minus its last windows (``horizon`` periods each, all
before the forecast origin) and both methods forecast those windows. Each blend
``w * model + (1 - w) * naive`` of a small grid is scored there by its scaled absolute error
(MASE's numerator over its scale), and every series gets the weight with the least error. One
window of one series is a noisy verdict, so a series' own errors are shrunk toward those of
the whole business: the business's mean error counts as ``prior`` points of evidence beside
the series' own. A business with one series thus decides on its own windows; a series of a
large business follows its own windows where they are many and clear, and the business's
verdict where they are few or noisy (an intermittent slow mover).
"""

from __future__ import annotations

import numpy as np

# The model's weight, from all model to all seasonal naive; a tie goes to the earlier weight
# (the model). Coarse on purpose: a few windows cannot tell 0.6 from 0.7 apart, and a finer
# grid would fit their noise.
WEIGHTS = (1.0, 0.75, 0.5, 0.25, 0.0)


def blend_errors(
    actual: np.ndarray,
    model: np.ndarray,
    naive: np.ndarray,
    scale: np.ndarray,
    weights: tuple[float, ...] = WEIGHTS,
) -> tuple[np.ndarray, np.ndarray]:
    """Per series of one validation window: the summed scaled absolute error of each blend,
    (n, len(weights)), and the number of points scored, (n,). ``actual``, ``model``, ``naive``:
    (n, window), NaN where the actual is unknown (not scored); ``scale``: MASE's scale of each
    series (a series without a positive scale is not scored: its errors are not comparable)."""
    seen = ~np.isnan(actual)
    usable = np.isfinite(scale) & (scale > 0)
    seen &= usable[:, None]
    divisor = np.where(usable, scale, 1.0)[:, None]
    errors = np.empty((len(actual), len(weights)))
    for j, w in enumerate(weights):
        blended = w * model + (1 - w) * naive
        errors[:, j] = (np.where(seen, np.abs(actual - blended), 0) / divisor).sum(axis=1)
    return errors, seen.sum(axis=1).astype(np.float64)


def choose_weights(
    errors: np.ndarray,
    points: np.ndarray,
    prior: float,
    weights: tuple[float, ...] = WEIGHTS,
) -> np.ndarray:
    """The model's weight for each series (n,), from ``blend_errors`` summed over windows.

    A series' mean error of each blend is shrunk toward the business's (the mean over every
    scored point) as if the business had ``prior`` points of the series' own: (errors + prior
    x business mean) / (points + prior); a series never scored takes the business's. No scored
    point anywhere: the model (weight 1)."""
    if not len(errors):
        return np.ones(0, dtype=np.float32)
    business = errors.sum(axis=0) / max(points.sum(), 1.0)
    evidence = (points + prior)[:, None]
    shrunk = (errors + prior * business[None, :]) / np.maximum(evidence, 1e-12)
    shrunk = np.where(evidence > 0, shrunk, business[None, :])  # nothing of its own
    return np.asarray(weights, dtype=np.float32)[np.argmin(shrunk, axis=1)]
