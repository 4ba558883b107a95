"""The series' own frequency: how dates map to integer periods, the season, the lags and
windows the model looks at, and the calendar of those periods (public holidays included)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

_KINDS = {"D": "D", "W": "W", "MS": "MS", "M": "ME", "ME": "ME"}


@dataclass(frozen=True)
class Frequency:
    """``kind`` is "D", "W", "MS" (month start) or "ME" (month end); weekly periods are
    anchored on the weekday of the data (``anchor``: days since 1970-01-01 modulo 7)."""

    kind: str
    anchor: int = 0

    @property
    def season(self) -> int:
        return {"D": 7, "W": 52}.get(self.kind, 12)

    @property
    def lags(self) -> tuple[int, ...]:
        if self.kind == "D":
            return (1, 2, 3, 4, 5, 6, 7, 14, 21, 28)
        if self.kind == "W":
            return (1, 2, 3, 4, 8, 13, 26, 52)
        return (1, 2, 3, 4, 6, 12, 24)

    @property
    def mean_windows(self) -> tuple[int, ...]:
        return {"D": (7, 28, 91), "W": (4, 13, 52)}.get(self.kind, (3, 6, 12))

    @property
    def std_windows(self) -> tuple[int, ...]:
        return {"D": (7, 28), "W": (4, 13)}.get(self.kind, (6, 12))

    @property
    def seasonal_lags(self) -> tuple[int, ...]:
        """Same position in earlier seasons, averaged into one feature: for daily data the
        same weekday over the last four weeks."""
        if self.kind == "D":
            return (7, 14, 21, 28)
        return (self.season, 2 * self.season)

    @property
    def history_needed(self) -> int:
        return max(*self.lags, *self.mean_windows, *self.seasonal_lags)

    def index_of(self, ds: Any) -> np.ndarray:
        """Integer period of each date; a date that is not on the grid is refused."""
        days = np.asarray(ds, dtype="datetime64[D]")
        if self.kind == "D":
            index = days.astype(np.int64)
        elif self.kind == "W":
            shifted = days.astype(np.int64) - self.anchor
            if np.any(shifted % 7):
                raise ValueError("weekly dates must all fall on the same weekday")
            index = shifted // 7
        else:
            months = days.astype("datetime64[M]")
            edge = months if self.kind == "MS" else (months + 1).astype("datetime64[D]") - 1
            if np.any(edge.astype("datetime64[D]") != days):
                where = "first" if self.kind == "MS" else "last"
                raise ValueError(f"freq {self.kind!r} needs dates on the {where} day of a month")
            index = months.astype(np.int64)
        if not np.array_equal(np.asarray(ds, dtype="datetime64[ns]"), days):
            raise ValueError("ds must be dates without a time of day")
        return index

    def dates_of(self, index: np.ndarray) -> np.ndarray:
        index = np.asarray(index, dtype=np.int64)
        if self.kind == "D":
            days = index.astype("datetime64[D]")
        elif self.kind == "W":
            days = (index * 7 + self.anchor).astype("datetime64[D]")
        elif self.kind == "MS":
            days = index.astype("datetime64[M]").astype("datetime64[D]")
        else:
            days = (index + 1).astype("datetime64[M]").astype("datetime64[D]") - 1
        return days.astype("datetime64[ns]")

    def first_day_of(self, index: np.ndarray) -> np.ndarray:
        """The first calendar day (as days since 1970) each period covers."""
        index = np.asarray(index, dtype=np.int64)
        if self.kind == "D":
            return index
        if self.kind == "W":
            return index * 7 + self.anchor - 6  # a week is named by its last day, as pandas does
        return index.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def resolve(freq: str, ds: pd.Series) -> Frequency:
    kind = _KINDS.get(freq.split("-")[0].upper() if freq.upper().startswith("W") else freq)
    if kind is None:
        raise ValueError(f"freq must be one of D, W, MS, M (ME); got {freq!r}")
    anchor = 0
    if kind == "W" and len(ds):
        anchor = int(np.asarray(ds.iloc[:1], dtype="datetime64[D]").astype(np.int64)[0] % 7)
    return Frequency(kind, anchor)


def calendar(freq: Frequency, first: int, last: int, country: str | None) -> dict[str, np.ndarray]:
    """Calendar features of periods ``first``..``last`` (inclusive), float32 arrays.

    Public holidays come from the ``holidays`` package, imported and built only when a country
    is given, for the years these periods cover."""
    index = np.arange(first, last + 1, dtype=np.int64)
    dates = pd.DatetimeIndex(freq.dates_of(index))
    features: dict[str, np.ndarray] = {"month": dates.month.to_numpy(np.float32)}
    if freq.kind == "D":
        features["day_of_week"] = dates.dayofweek.to_numpy(np.float32)
        features["day_of_month"] = dates.day.to_numpy(np.float32)
        features["day_of_year"] = dates.dayofyear.to_numpy(np.float32)
    if freq.kind in ("D", "W"):
        features["week_of_year"] = dates.isocalendar().week.to_numpy(np.float32)
    if country:
        day_first = int(freq.first_day_of(index[:1])[0])
        day_last = int(freq.first_day_of(index[-1:] + 1)[0]) - 1
        holiday_days = _holiday_days(country, day_first - 8, day_last + 8)
        if freq.kind == "D":
            features["holiday"] = np.isin(index, holiday_days).astype(np.float32)
            features["days_to_holiday"] = _distance(index, holiday_days, ahead=True)
            features["days_since_holiday"] = _distance(index, holiday_days, ahead=False)
        else:
            starts = freq.first_day_of(index)
            ends = freq.first_day_of(index + 1)
            count = np.searchsorted(holiday_days, ends) - np.searchsorted(holiday_days, starts)
            features["holidays"] = count.astype(np.float32)
    return features


def _holiday_days(country: str, day_first: int, day_last: int) -> np.ndarray:
    import holidays  # lazily: only a caller that names a country pays for it

    first_year = int(str(np.datetime64(day_first, "D"))[:4])
    last_year = int(str(np.datetime64(day_last, "D"))[:4])
    try:
        table = holidays.country_holidays(country, years=range(first_year, last_year + 1))
    except NotImplementedError as error:
        raise ValueError(f"no public holidays known for country {country!r}") from error
    days = np.array(sorted(table.keys()), dtype="datetime64[D]").astype(np.int64)
    return days


def _distance(days: np.ndarray, holiday_days: np.ndarray, *, ahead: bool) -> np.ndarray:
    """Days to the next (or since the last) holiday, 0 on one, capped at 8 (none near)."""
    cap = 8
    if not len(holiday_days):
        return np.full(len(days), cap, dtype=np.float32)
    if ahead:
        at = np.searchsorted(holiday_days, days, side="left")
        near = holiday_days[np.minimum(at, len(holiday_days) - 1)]
        gap = np.where(at < len(holiday_days), near - days, cap)
    else:
        at = np.searchsorted(holiday_days, days, side="right") - 1
        near = holiday_days[np.maximum(at, 0)]
        gap = np.where(at >= 0, days - near, cap)
    return np.minimum(gap, cap).astype(np.float32)
