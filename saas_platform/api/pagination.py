"""Offset paging shared by the list endpoints: ``?offset=N&limit=M``.

Both are checked before any query runs: PostgreSQL's OFFSET and LIMIT are bigints, so an
unchecked ``offset=99999999999999999999`` fails in the database (a 500). A malformed or
out-of-range value is a 400 naming the parameter (``invalid`` or ``out_of_range``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rest_framework import serializers
from rest_framework.request import Request

from saas_platform.api.limits import MAX_LIMIT, MAX_OFFSET

PAGE_SIZE = 100

_INTEGER = re.compile(r"[+-]?[0-9]+", re.ASCII)
# More digits than any bound has: refused as out of range without building a huge int.
_MAX_DIGITS = len(str(MAX_OFFSET)) + 1


class BoundedIntegerField(serializers.IntegerField):
    """A whole number in ``[min_value, max_value]``: ``invalid`` if not a number (``1e3``,
    ``1.0``, ``0x10`` and digits of other scripts included), ``out_of_range`` outside."""

    default_error_messages = {
        "invalid": "A whole number is required.",
        "out_of_range": "Must be a whole number from {min_value} to {max_value}.",
    }

    def __init__(self, *, min_value: int, max_value: int, **kwargs: Any) -> None:
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)
        self.low, self.high = min_value, max_value

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool):
            self.fail("invalid")
        text = str(data).strip() if isinstance(data, str | int) else ""
        if not _INTEGER.fullmatch(text):
            self.fail("invalid")
        if len(text.lstrip("+-")) > _MAX_DIGITS or not self.low <= int(text) <= self.high:
            self.fail("out_of_range", min_value=self.low, max_value=self.high)
        return int(text)


def offset_field(**kwargs: Any) -> BoundedIntegerField:
    kwargs.setdefault("help_text", "How many results to skip.")
    return BoundedIntegerField(min_value=0, max_value=MAX_OFFSET, required=False, **kwargs)


def limit_field(*, default: int = PAGE_SIZE, maximum: int = MAX_LIMIT) -> BoundedIntegerField:
    return BoundedIntegerField(
        min_value=1,
        max_value=min(maximum, MAX_LIMIT),
        required=False,
        help_text=f"How many results to return (default {default}).",
    )


class PageQuerySerializer(serializers.Serializer[dict[str, int]]):
    """``offset`` and ``limit`` as query parameters; list it in a view's ``parameters``."""

    offset = offset_field()
    limit = limit_field()


@dataclass(frozen=True)
class Window:
    offset: int
    limit: int


def requested_window(
    request: Request, *, default_limit: int = PAGE_SIZE, max_limit: int = MAX_LIMIT
) -> Window:
    """The page a list request asks for; raises a 400 for a bad ``offset`` or ``limit``."""

    serializer_class = PageQuerySerializer
    if (default_limit, max_limit) != (PAGE_SIZE, MAX_LIMIT):

        class PageSerializer(PageQuerySerializer):
            limit = limit_field(default=default_limit, maximum=max_limit)

        serializer_class = PageSerializer
    page = serializer_class(data=request.query_params)
    page.is_valid(raise_exception=True)
    return Window(
        offset=page.validated_data.get("offset", 0),
        limit=page.validated_data.get("limit", default_limit),
    )


def page_of(
    request: Request, queryset: Any, *, default_limit: int = PAGE_SIZE
) -> tuple[Any, dict[str, int]]:
    window = requested_window(request, default_limit=default_limit)
    page = queryset[window.offset : window.offset + window.limit]
    return page, {"offset": window.offset, "limit": window.limit}
