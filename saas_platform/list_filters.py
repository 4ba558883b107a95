"""The optional filters of a list read (``?status=``, ``?supplier=``, …): a selector narrows
its rows on those a caller gave and ignores the others."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def filter_given(rows: QuerySet[M], **lookups: object) -> QuerySet[M]:
    """``rows`` narrowed on each lookup whose value was given; an empty string, ``None`` or 0
    (no row has id 0) means "any"."""
    return rows.filter(**{lookup: value for lookup, value in lookups.items() if value})
