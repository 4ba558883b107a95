"""Billing periods: a month or a year from a start, clamped to the month's last day."""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta
from decimal import Decimal

from billing.models import Interval


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` ``months`` later; the 31st of January plus a month is the 28th (or 29th) of
    February, as card networks and Stripe do it."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def period_end(start: datetime, interval: str) -> datetime:
    return add_months(start, 12 if interval == Interval.YEARLY else 1)


def trial_end(start: datetime, days: int) -> datetime:
    return start + timedelta(days=days)


def remaining_fraction(start: datetime, end: datetime, now: datetime) -> Decimal:
    """How much of the period ``[start, end)`` is still ahead at ``now``, from 0 to 1."""
    total = (end - start).total_seconds()
    left = (end - max(min(now, end), start)).total_seconds()
    return Decimal(left) / Decimal(total) if total > 0 else Decimal(0)
