"""Synthetic daily sales with known structure, for tests, the benchmark and the demo business.

Every product has a level (a share of them intermittent slow movers), a trend, a weekly profile
(its category's, perturbed), a yearly cycle, a lift on the country's public holidays and the
day before, promotions (a discount off the price for a week, lifting demand by the product's
price elasticity) and stock-out spells (no sales, ``in_stock`` false). Some products are new,
launched in the last weeks. Counts are negative binomial around that mean. All of it is drawn
with numpy arrays over (products, days) at once: 5,000 products x 2 years take a few seconds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .frequency import Frequency, calendar

WEEKLY_SHAPE = np.array([0.0, -0.05, -0.05, 0.0, 0.15, 0.35, 0.2])  # Monday..Sunday


def generate_sales(
    n_products: int = 50,
    n_days: int = 730,
    *,
    start: str = "2024-01-01",
    seed: int = 0,
    country: str | None = "KE",
    slow_share: float = 0.2,
    new_share: float = 0.02,
    promo_rate: float = 1 / 45,
    stockout_rate: float = 1 / 150,
) -> pd.DataFrame:
    """Long frame: unique_id, ds, y, price, discount, category, in_stock (deterministic given
    ``seed``). ``country``: whose public holidays lift demand (None: no holiday effect)."""
    rng = np.random.default_rng(seed)
    n, days = n_products, n_days
    first = np.datetime64(start, "D").astype(np.int64)
    period = first + np.arange(days)
    dow = ((period + 3) % 7).astype(np.int64)  # 1970-01-01 was a Thursday
    day_of_year = pd.DatetimeIndex(period.astype("datetime64[D]")).dayofyear.to_numpy()

    n_categories = max(1, min(12, n // 8))
    category = rng.integers(0, n_categories, n)
    slow = rng.random(n) < slow_share
    level = np.where(slow, rng.uniform(0.05, 0.5, n), rng.lognormal(1.2, 0.8, n))
    slope = rng.normal(0, 0.25, n)  # log change per year
    weekly = np.exp(WEEKLY_SHAPE[None, :] + rng.normal(0, 0.1, (n_categories, 7)))[category]
    weekly *= np.exp(rng.normal(0, 0.05, (n, 7)))
    amplitude = rng.uniform(0, 0.35, n)
    phase = rng.uniform(0, 2 * np.pi, n)

    mean = level[:, None] * np.exp(slope[:, None] * (np.arange(days) / 365.25)[None, :])
    mean *= weekly[:, dow]
    mean *= 1 + amplitude[:, None] * np.sin(2 * np.pi * day_of_year / 365.25 + phase[:, None])
    if country:
        cal = calendar(Frequency("D"), int(period[0]), int(period[-1]), country)
        holiday, eve = cal["holiday"] > 0, cal["days_to_holiday"] == 1
        lift = rng.uniform(1.3, 2.5, n)
        mean *= np.where(holiday[None, :], lift[:, None], 1.0)
        mean *= np.where(eve[None, :], 1 + (lift[:, None] - 1) / 2, 1.0)

    discount = _spells(rng, n, days, promo_rate, 7, 7, rng.choice([0.1, 0.2, 0.3], (n, days)))
    elasticity = rng.uniform(1.5, 3.5, n)
    mean *= (1 - discount) ** -elasticity[:, None]
    base_price = np.round(rng.lognormal(4, 0.8, n), 2)
    price = base_price[:, None] * (1 - discount)

    out = _spells(rng, n, days, stockout_rate, 2, 10, np.ones((n, days))) > 0
    shape = 4.0  # negative binomial: gamma-distributed mean, Poisson counts
    demand = rng.poisson(mean * rng.gamma(shape, 1 / shape, (n, days)))
    sold = np.where(out, 0, demand)

    launch = np.zeros(n, dtype=np.int64)
    new = rng.random(n) < new_share
    launch[new] = rng.integers(max(0, days - 60), days - 1, new.sum()) if days > 1 else 0
    live = np.arange(days)[None, :] >= launch[:, None]
    rows, cols = np.nonzero(live)
    names = pd.Index([f"P{i:05d}" for i in range(n)])
    categories = pd.Index([f"C{c:02d}" for c in range(n_categories)])
    return pd.DataFrame(
        {
            "unique_id": pd.Categorical.from_codes(rows, categories=names),
            "ds": period[cols].astype("datetime64[D]").astype("datetime64[ns]"),
            "y": sold[rows, cols].astype(np.float32),
            "price": price[rows, cols].astype(np.float32),
            "discount": discount[rows, cols].astype(np.float32),
            "category": pd.Categorical.from_codes(category[rows], categories=categories),
            "in_stock": ~out[rows, cols],
        }
    )


def _spells(
    rng: np.random.Generator, n: int, days: int, rate: float, shortest: int, longest: int,
    values: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """(n, days): episodes starting with probability ``rate`` a day, lasting ``shortest`` to
    ``longest`` days, each holding the ``values`` drawn for its first day; 0 elsewhere."""
    starts = rng.random((n, days)) < rate
    lengths = rng.integers(shortest, longest + 1, (n, days))
    index = np.where(starts, np.arange(days)[None, :], -1)
    last = np.maximum.accumulate(index, axis=1)
    begun = last >= 0
    at = np.maximum(last, 0)
    rows = np.arange(n)[:, None]
    active = begun & (np.arange(days)[None, :] - at < lengths[rows, at])
    return np.where(active, values[rows, at], 0.0)
