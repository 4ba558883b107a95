"""The forecasting engine on generated data with known structure."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tenant_apps.forecasting.engine import (
    BLEND,
    FALLBACK,
    MODEL,
    Settings,
    backtest,
    fallback_ids,
    forecast,
    mase,
)
from tenant_apps.forecasting.engine.frequency import calendar, resolve
from tenant_apps.forecasting.engine.selection import WEIGHTS, blend_errors, choose_weights
from tenant_apps.forecasting.engine.synthetic import generate_sales
from tests.forecasting.conftest import QUICK

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "tenant_apps" / "forecasting" / "engine"


def test_the_model_beats_seasonal_naive_on_a_backtest(sales: pd.DataFrame) -> None:
    # given daily sales with trend, weekly and yearly seasonality, holidays, promotions
    # when the last 28 days are held out and forecast
    result = backtest(sales, 28, "D", country="KE", settings=QUICK)
    # then the model's MASE is at least 15% under seasonal naive's, series by series on average
    assert result.improvement >= 0.15, result.summary()
    assert len(result.per_series) == 40
    assert set(result.per_series.columns) == {
        "unique_id", "model", "model_weight", "mase", "mase_naive", "points"
    }  # fmt: skip
    assert result.per_series["points"].max() == 28
    assert 0.75 <= result.coverage <= 0.98  # the p90 covers about nine days in ten


def test_a_forecast_has_one_row_per_series_and_future_day(sales: pd.DataFrame) -> None:
    result = forecast(sales, 14, "D", settings=QUICK)

    assert list(result.columns) == ["unique_id", "ds", "p50", "p90", "model", "model_weight"]
    assert len(result) == 40 * 14
    last = sales.groupby("unique_id", observed=True)["ds"].max()
    for uid, rows in result.groupby("unique_id", observed=True):
        expected = pd.date_range(last[uid] + pd.Timedelta(days=1), periods=14, freq="D")
        assert list(rows["ds"]) == list(expected)
    assert not result[["p50", "p90"]].isna().any().any()
    assert (result["p50"] >= 0).all()
    assert (result["p50"] <= result["p90"]).all()
    # every product has the history the model needs, and most are served the model alone
    assert FALLBACK not in set(result["model"])
    assert (result["model"] == MODEL).mean() > 0.5


def test_other_quantiles_are_named_and_ordered(sales: pd.DataFrame) -> None:
    result = forecast(sales, 7, "D", quantiles=(0.9, 0.1, 0.5), settings=QUICK)

    assert list(result.columns) == [
        "unique_id", "ds", "p10", "p50", "p90", "model", "model_weight"
    ]  # fmt: skip
    assert (result["p10"] <= result["p50"]).all()
    assert (result["p50"] <= result["p90"]).all()


def test_a_product_with_little_history_gets_seasonal_naive_and_is_named(
    sales: pd.DataFrame,
) -> None:
    # given a product launched 20 days ago (the rule: fewer than 2 x 7 + 28 = 42 days)
    launched = sales["ds"].max() - pd.Timedelta(days=19)
    days = pd.date_range(launched, periods=20, freq="D")
    new = pd.DataFrame({"unique_id": "NEW", "ds": days, "y": np.tile([3.0, 5.0], 10)})
    history = pd.concat([sales.astype({"unique_id": str}), new], ignore_index=True)
    # when forecast
    result = forecast(history, 14, "D", settings=QUICK)
    # then it alone falls back, and the result says so
    assert fallback_ids(result) == ["NEW"]
    newcomer = result[result["unique_id"] == "NEW"]
    assert set(newcomer["model"]) == {FALLBACK}
    last_week = [5.0, 3.0, 5.0, 3.0, 5.0, 3.0, 5.0]
    assert list(newcomer["p50"]) == last_week * 2  # repeated
    assert (newcomer["p90"] >= newcomer["p50"]).all()
    assert set(result.loc[result["unique_id"] != "NEW", "model"]) <= {MODEL, BLEND}


def test_every_series_falls_back_when_none_has_enough_history() -> None:
    short = generate_sales(5, 20, seed=1, new_share=0)  # 20 days < 2 x 7 + 7

    result = forecast(short, 7, "D", settings=QUICK)

    assert set(result["model"]) == {FALLBACK}
    assert len(fallback_ids(result)) == 5


def test_stock_out_days_are_not_learned_as_zero_demand() -> None:
    # given steady sellers (about 10 a day), one of which is out of stock every Monday
    rng = np.random.default_rng(3)
    days = pd.date_range("2025-01-06", periods=200, freq="D")  # starts on a Monday
    frames = []
    for i in range(12):
        y = rng.poisson(10, len(days)).astype(float)
        in_stock = np.ones(len(days), dtype=bool)
        if i == 0:
            in_stock = days.dayofweek != 0
            y[~in_stock] = 0
        frame = pd.DataFrame({"unique_id": f"S{i}", "ds": days, "y": y, "in_stock": in_stock})
        frames.append(frame)
    history = pd.concat(frames, ignore_index=True)
    mondays = lambda result: result[  # noqa: E731
        (result["unique_id"] == "S0") & (result["ds"].dt.dayofweek == 0)
    ]["p50"]
    # when forecast with the stock-out flag, and (for contrast) with the zeros taken at face value
    masked = mondays(forecast(history, 14, "D", settings=QUICK))
    naive_reading = mondays(forecast(history.drop(columns="in_stock"), 14, "D", settings=QUICK))
    # then Mondays are forecast as ordinary days, not as the zeros of the stock-outs
    assert (masked > 6).all(), masked
    assert (naive_reading < 3).all(), naive_reading


def test_the_country_s_public_holidays_are_a_feature() -> None:
    # given Kenyan sales, which jump on public holidays, up to 8 December 2025
    sales = generate_sales(30, 500, start="2024-07-27", seed=5, country="KE", new_share=0)
    assert sales["ds"].max() == pd.Timestamp("2025-12-08")

    # when forecast with Kenya's calendar, and without any
    def lift(country: str | None) -> float:
        result = forecast(sales, 21, "D", country=country, settings=QUICK)
        total = result.groupby("ds")["p50"].sum()
        # Jamhuri Day (12 Dec 2025, a Friday) against the Friday after
        return total[pd.Timestamp("2025-12-12")] / total[pd.Timestamp("2025-12-19")]

    with_holidays, without = lift("KE"), lift(None)
    # then the holiday is forecast higher only when the model knows the calendar
    assert with_holidays > 1.25
    assert with_holidays > without + 0.2


def test_a_week_is_named_by_its_last_day_and_counts_the_holidays_inside_it() -> None:
    # given weeks named by their Sunday, as pandas' "W" names them: the week of 19-25 December
    # 2016 holds Christmas; the week of 26 December-1 January, Christmas observed (Monday 26)
    # and New Year's Day
    sundays = pd.Series(pd.to_datetime(["2016-12-18", "2016-12-25", "2017-01-01"]))
    weekly = resolve("W", sundays)
    periods = weekly.index_of(sundays)
    # when the US calendar of those weeks is built
    features = calendar(weekly, int(periods[0]), int(periods[-1]), "US")
    # then each week counts the public holidays of its own seven days
    assert features["holidays"].tolist() == [0, 1, 2]


def test_an_unknown_country_is_refused(sales: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="no public holidays known"):
        forecast(sales, 7, "D", country="XX", settings=QUICK)


def test_the_same_seed_gives_the_same_data_and_forecasts() -> None:
    first = generate_sales(20, 200, seed=11)
    again = generate_sales(20, 200, seed=11)
    other = generate_sales(20, 200, seed=12)
    pd.testing.assert_frame_equal(first, again)
    assert not first["y"].equals(other["y"])

    pd.testing.assert_frame_equal(
        forecast(first, 7, "D", seed=3, settings=QUICK),
        forecast(again, 7, "D", seed=3, settings=QUICK),
    )


def test_future_prices_and_promotions_move_the_forecast(sales: pd.DataFrame) -> None:
    # given a promotion planned for every product next week (30% off)
    last = sales.groupby("unique_id", observed=True).tail(1)
    future = pd.concat([last.assign(ds=last["ds"] + pd.Timedelta(days=d)) for d in range(1, 8)])
    promotion = future.assign(price=future["price"] * 0.7, discount=0.3)
    # when forecast with and without it
    plain = forecast(sales, 7, "D", settings=QUICK)
    promoted = forecast(sales, 7, "D", features=promotion, settings=QUICK)
    # then demand is forecast higher under the promotion
    assert promoted["p50"].sum() > 1.3 * plain["p50"].sum()


@pytest.mark.parametrize(("freq", "rule", "horizon"), [("W", "W-SUN", 8), ("MS", "MS", 6)])
def test_weekly_and_monthly_series(freq: str, rule: str, horizon: int) -> None:
    daily = generate_sales(12, 1100, start="2022-01-03", seed=2, new_share=0)
    grouped = daily.groupby(["unique_id", pd.Grouper(key="ds", freq=rule)], observed=True)
    history = grouped["y"].sum().reset_index()

    result = forecast(history, horizon, freq, settings=QUICK)

    assert len(result) == 12 * horizon
    step = pd.tseries.frequencies.to_offset(rule)
    first = result.groupby("unique_id", observed=True)["ds"].min()
    last = history.groupby("unique_id", observed=True)["ds"].max()
    assert (first == last + step).all()
    assert FALLBACK not in set(result["model"])
    assert backtest(history, horizon, freq, settings=QUICK).per_series["mase"].notna().all()


def _sales_and_seasonal_walks() -> pd.DataFrame:
    """30 products of generated sales (which the model forecasts well) and 10 seasonal random
    walks: each weekday's sales are last week's plus noise, so last week is the best forecast
    there is, and seasonal naive is exactly that."""
    sales = generate_sales(30, 480, start="2024-09-01", seed=7, country="KE", new_share=0)
    sales = sales[["unique_id", "ds", "y"]].astype({"unique_id": str})
    rng = np.random.default_rng(4)
    days = pd.date_range("2024-09-01", periods=480, freq="D")
    walks = []
    for i in range(10):
        weekly = rng.uniform(20, 60, 7)
        steps = rng.normal(0, 3, (480 // 7 + 1, 7)).cumsum(axis=0)
        y = np.maximum(weekly[None, :] + steps, 0).reshape(-1)[:480].round()
        walks.append(pd.DataFrame({"unique_id": f"WALK{i}", "ds": days, "y": y}))
    return pd.concat([sales, *walks], ignore_index=True)


def test_series_the_model_cannot_beat_are_served_seasonal_naive() -> None:
    history = _sales_and_seasonal_walks()
    blind = Settings(num_boost_round=80, validation_windows=0)  # the model for every series
    # when backtested with the selection, and (for contrast) with the model served blindly
    chosen = backtest(history, 28, "D", settings=QUICK)
    served_blindly = backtest(history, 28, "D", settings=blind)
    walks = chosen.per_series["unique_id"].str.startswith("WALK")

    # then served blindly, the model loses to seasonal naive on the walks
    blind_walks = served_blindly.per_series[walks]
    assert blind_walks["mase"].mean() > 1.1 * blind_walks["mase_naive"].mean()
    assert set(blind_walks["model"]) == {MODEL}
    # with the selection, the walks mostly get seasonal naive and are not worse than it,
    assert chosen.per_series.loc[walks, "model_weight"].median() == 0
    assert set(chosen.per_series.loc[walks, "model"]) <= {FALLBACK, BLEND}
    ours = chosen.per_series[walks]
    assert ours["mase"].mean() <= 1.02 * ours["mase_naive"].mean()
    # the sales keep (mostly) the model, and the whole is better than either alone
    assert chosen.per_series.loc[~walks, "model_weight"].mean() >= 0.75
    assert chosen.improvement > served_blindly.improvement
    # and each series' label says what it was served
    labels = np.where(chosen.per_series["model_weight"] >= 1, MODEL, BLEND)
    labels = np.where(chosen.per_series["model_weight"] <= 0, FALLBACK, labels)
    assert list(chosen.per_series["model"]) == list(labels)
    assert chosen.fallback == sorted(
        chosen.per_series.loc[chosen.per_series["model_weight"] == 0, "unique_id"]
    )


def test_a_forecast_names_each_series_method_and_blends_the_quantiles() -> None:
    history = _sales_and_seasonal_walks()

    result = forecast(history, 14, "D", settings=QUICK)
    naive_only = forecast(
        history, 14, "D", settings=QUICK, min_history=10_000
    )  # every series too short: seasonal naive alone

    assert set(result["model"]) == {MODEL, BLEND, FALLBACK}
    per_series = result.groupby("unique_id")[["model", "model_weight"]].nunique()
    assert (per_series == 1).all().all()  # one method per series, over its whole horizon
    assert (result["p50"] <= result["p90"]).all()
    assert fallback_ids(result) == sorted(
        result.loc[result["model_weight"] == 0, "unique_id"].unique()
    )
    # a series on seasonal naive is forecast exactly as the fallback forecasts it
    walk = fallback_ids(result)[0]
    ours = result[result["unique_id"] == walk].reset_index(drop=True)
    theirs = naive_only[naive_only["unique_id"] == walk].reset_index(drop=True)
    pd.testing.assert_frame_equal(ours[["ds", "p50", "p90"]], theirs[["ds", "p50", "p90"]])


def test_the_selection_never_reads_the_held_out_window() -> None:
    history = _sales_and_seasonal_walks()
    last = history["ds"] > history["ds"].max() - pd.Timedelta(days=28)
    doctored = history.assign(y=np.where(last, history["y"] * 10 + 5, history["y"]))

    honest = backtest(history, 28, "D", settings=QUICK)
    tampered = backtest(doctored, 28, "D", settings=QUICK)

    # the forecasts, and the choice between methods, depend on the training part only
    columns = ["unique_id", "ds", "p50", "p90", "model", "model_weight"]
    pd.testing.assert_frame_equal(honest.forecasts[columns], tampered.forecasts[columns])


def test_the_weights_follow_the_validation_errors_shrunk_toward_the_business() -> None:
    actual = np.array([[10.0, 10, 10, 10], [10, 10, 10, 10], [10, 10, np.nan, 10]])
    model = np.array([[10.0, 10, 10, 10], [14, 14, 14, 14], [10, 10, 99, 10]])
    naive = np.array([[14.0, 14, 14, 14], [10, 10, 10, 10], [14, 14, 14, 14]])
    errors, points = blend_errors(actual, model, naive, np.array([1.0, 1.0, 0.0]))
    # the third series has no scale (a constant history): it is not scored
    assert list(points) == [4, 4, 0]
    assert errors[0, WEIGHTS.index(1.0)] == 0 and errors[0, WEIGHTS.index(0.0)] == 16
    assert errors[1, WEIGHTS.index(0.5)] == 8

    # alone, each series follows its own errors; one without any, the business's (a tie here:
    # the model); a strong prior (the business) pulls the second series toward the first's
    assert list(choose_weights(errors, points, prior=0)) == [1.0, 0.0, 1.0]
    assert list(choose_weights(errors[:2], points[:2], prior=0)) == [1.0, 0.0]
    assert choose_weights(errors[1:2], points[1:2], prior=1000)[0] == 0.0
    dominated = np.vstack([errors[:1].repeat(9, axis=0), errors[1:2]])
    assert choose_weights(dominated, np.full(10, 4.0), prior=1000)[-1] == 1.0
    assert choose_weights(dominated, np.full(10, 4.0), prior=4)[-1] < 1.0


def test_bad_input_is_refused_with_a_reason(sales: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="lacks columns: y"):
        forecast(sales.drop(columns="y"), 7, "D")
    with pytest.raises(ValueError, match="more than one row"):
        forecast(pd.concat([sales, sales.tail(1)]), 7, "D")
    with pytest.raises(ValueError, match="first day of a month"):
        forecast(sales, 2, "MS")
    with pytest.raises(ValueError, match="freq must be one of"):
        forecast(sales, 7, "H")


def test_mase_is_scaled_by_the_in_sample_seasonal_naive_error() -> None:
    insample = np.array([1, 2, 3, 1, 2, 3, 1, 2, 4], dtype=float)  # season 3: errors 0,0,0,0,0,1
    assert mase(np.array([2.0, 2.0]), np.array([1.0, 3.0]), insample, 3) == pytest.approx(6.0)
    # shorter than a season: the lag-1 error (|2-1|, |4-2|) = 1.5
    assert mase(np.array([5.0]), np.array([2.0]), np.array([1.0, 2.0, 4.0]), 7) == 2.0


def test_the_engine_imports_no_django() -> None:
    # statically: no module of the engine names django
    for path in ENGINE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(name.split(".")[0] == "django" for name in names), path
    # and at run time: a fresh interpreter that forecasts has no django module loaded
    code = (
        "import sys\n"
        "from tenant_apps.forecasting.engine import forecast\n"
        "from tenant_apps.forecasting.engine.synthetic import generate_sales\n"
        "forecast(generate_sales(3, 60, seed=1), 7, 'D', country='KE')\n"
        "loaded = [m for m in sys.modules if m == 'django' or m.startswith('django.')]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=120)  # noqa: S603
