"""The one period parameter set of the API: ``?start=&end=``, two days of the business's
calendar, both included (docs/api.md, "Periods").

- ``end`` left out: today where the business is (``business_today``); ``start`` left out: the
  first day of ``end``'s month. So no parameters at all means this month so far.
- A date that is not ``YYYY-MM-DD`` is ``invalid`` on its field; a period that starts after it
  ends is ``period_reversed`` on ``start``; a period longer than a report allows is
  ``period_too_long`` on ``start``.

A view's filter serializer extends :class:`PeriodSerializer` (and sets ``longest`` when the
report bounds its length), so that every problem of the query is reported at once.
"""

from __future__ import annotations

from datetime import UTC, date
from typing import Any, ClassVar, NamedTuple

from django.utils import timezone
from rest_framework import serializers
from rest_framework.request import Request

from saas_platform.tenancy import business_today


class PeriodSerializer(serializers.Serializer[dict[str, Any]]):
    # Days a period may span, both ends included; None: any length.
    longest: ClassVar[int | None] = None

    start = serializers.DateField(
        required=False, help_text="The first day, included. Default: the 1st of `end`'s month."
    )
    end = serializers.DateField(
        required=False,
        help_text="The last day, included. Default: today in the business's time zone.",
    )

    def today(self) -> date:
        """The day ``end`` defaults to. The root domain serves no business, so the console's
        serializers count platform days (UTC) instead."""
        return business_today()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        end = attrs.get("end") or self.today()
        start = attrs.get("start") or end.replace(day=1)
        if start > end:
            raise serializers.ValidationError(
                {"start": "The period starts after it ends."}, code="period_reversed"
            )
        if self.longest is not None and (end - start).days + 1 > self.longest:
            raise serializers.ValidationError(
                {"start": f"A period covers at most {self.longest} days; ask for less."},
                code="period_too_long",
            )
        return {**attrs, "start": start, "end": end}


class PlatformPeriodSerializer(PeriodSerializer):
    """A period of the platform's own days (UTC), for the console on the root domain, which
    serves no business to take a calendar from."""

    start = serializers.DateField(
        required=False,
        help_text="The first day (UTC), included. Default: the 1st of `end`'s month.",
    )
    end = serializers.DateField(
        required=False, help_text="The last day (UTC), included. Default: today (UTC)."
    )

    def today(self) -> date:
        return timezone.now().astimezone(UTC).date()


class Period(NamedTuple):
    start: date
    end: date


def period_of(data: dict[str, Any]) -> Period:
    """The period in the validated data of a :class:`PeriodSerializer` (or a subclass)."""
    return Period(start=data["start"], end=data["end"])


def requested_period(request: Request, params: type[PeriodSerializer] = PeriodSerializer) -> Period:
    """The period a request asks for, read by ``params`` (a subclass sets its own default
    span); raises a 400 for a bad one."""
    found = params(data=request.query_params)
    found.is_valid(raise_exception=True)
    return period_of(found.validated_data)
