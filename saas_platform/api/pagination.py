"""The one way every list pages: ``?limit=M&offset=N`` in, one envelope out.

    {"count": 1234, "next": "https://…?limit=100&offset=200", "previous": "https://…?limit=100",
     "results": [...]}

``count`` is how many rows the whole list has (with its filters), ``next`` and ``previous`` the
links to the neighbouring pages (null at either end). A view answers with :func:`paginated` and
documents itself with :func:`list_schema`, which adds the ``limit`` and ``offset`` parameters
and the envelope to the OpenAPI document. No list is cut short silently: a client reads further
pages for as long as ``next`` is a link.

Both parameters are checked before any query runs: PostgreSQL's OFFSET and LIMIT are bigints,
so an unchecked ``offset=99999999999999999999`` fails in the database (a 500). A malformed or
out-of-range value is a 400 naming the parameter (``invalid`` or ``out_of_range``).

A list an integrator syncs takes ``updated_since`` (saas_platform/api/sync.py); its ``next``
link then starts after the last change on the page rather than at an offset, so that rows
changed while a client pages cannot shift one out of its view (docs/api.md, "Syncing").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

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


class PageQuerySerializer(serializers.Serializer[dict[str, int]]):
    """``offset`` and ``limit`` as query parameters (:func:`list_schema` lists them)."""

    offset = BoundedIntegerField(
        min_value=0, max_value=MAX_OFFSET, required=False, help_text="How many results to skip."
    )
    limit = BoundedIntegerField(
        min_value=1,
        max_value=MAX_LIMIT,
        required=False,
        help_text=f"How many results to return (default {PAGE_SIZE}).",
    )


@dataclass(frozen=True)
class Window:
    offset: int
    limit: int


def requested_window(request: Request) -> Window:
    """The page a list request asks for; raises a 400 for a bad ``offset`` or ``limit``."""
    page = PageQuerySerializer(data=request.query_params)
    page.is_valid(raise_exception=True)
    return Window(
        offset=page.validated_data.get("offset", 0),
        limit=page.validated_data.get("limit", PAGE_SIZE),
    )


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    count: int
    next: str | None
    previous: str | None


def _total(items: QuerySet[Any] | Sequence[Any], window: Window, rows: list[Any]) -> int:
    # A page that is neither full nor empty ends the list: its rows say how long the list is,
    # and the COUNT query (a second scan of the same rows) is not needed.
    if rows and len(rows) < window.limit:
        return window.offset + len(rows)
    if not rows and window.offset == 0:
        return 0
    return items.count() if isinstance(items, QuerySet) else len(items)


def _previous(url: str, window: Window) -> str | None:
    if window.offset <= 0:
        return None
    if window.offset - window.limit <= 0:
        return remove_query_param(url, "offset")
    return replace_query_param(url, "offset", window.offset - window.limit)


def _next_after_change(url: str, window: Window, rows: list[Any], since: datetime) -> str:
    """The next page of a sync: the rows changed at or after the last change on this page, past
    those of this page changed at that very instant (rows are ordered by change, then id)."""
    last = rows[-1].updated_at
    seen_at_last = sum(1 for row in rows if row.updated_at == last)
    if last == since:
        # The whole page changed at the instant the page started from: skip what came before.
        seen_at_last += window.offset
    url = replace_query_param(url, "updated_since", last.isoformat())
    if seen_at_last:
        return replace_query_param(url, "offset", seen_at_last)
    return remove_query_param(url, "offset")


def take_page(
    request: Request, items: QuerySet[Any] | Sequence[Any], *, since: datetime | None = None
) -> Page:
    """The page of ``items`` the request asks for, with the list's length and the links.

    ``since``: the ``updated_since`` the rows were selected with (ordered by ``updated_at``,
    then id), for links that sync.
    """
    window = requested_window(request)
    rows = list(items[window.offset : window.offset + window.limit])
    count = _total(items, window, rows)
    url = replace_query_param(request.build_absolute_uri(), "limit", window.limit)
    following = None
    if window.offset + len(rows) < count:
        if since is not None and rows:
            following = _next_after_change(url, window, rows, since)
        else:
            following = replace_query_param(url, "offset", window.offset + window.limit)
    return Page(rows=rows, count=count, next=following, previous=_previous(url, window))


def paginated(
    request: Request,
    items: QuerySet[Any] | Sequence[Any],
    serializer_class: type[serializers.BaseSerializer[Any]],
    *,
    context: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
    prepare: Callable[[list[Any]], Sequence[Any]] | None = None,
    since: datetime | None = None,
) -> Response:
    """A list's answer: the requested page of ``items`` in the envelope, each row shaped by
    ``serializer_class`` (its context holds the request, for fields that show more or less by
    role, and ``context``).

    ``extra``: keys the answer carries beside the envelope (the customer a ledger belongs to).
    ``prepare``: turns the page's rows into what the serializer shows (adds per-page figures).
    ``since``: see :func:`take_page`.
    """
    page = take_page(request, items, since=since)
    rows = prepare(page.rows) if prepare is not None else page.rows
    shown = serializer_class(rows, many=True, context={"request": request, **(context or {})})
    return Response(
        {
            **(extra or {}),
            "count": page.count,
            "next": page.next,
            "previous": page.previous,
            "results": shown.data,
        }
    )


def paged(item: Any, name: str, *, extra: Mapping[str, Any] | None = None) -> Any:
    """The OpenAPI shape of a page of ``item`` (a serializer class or instance): component
    ``name``, with ``extra`` fields beside the envelope's."""
    results = item(many=True) if isinstance(item, type) else item
    return inline_serializer(
        name,
        {
            **(extra or {}),
            "count": serializers.IntegerField(help_text="Rows in the whole list."),
            "next": serializers.URLField(allow_null=True, help_text="The next page; null: none."),
            "previous": serializers.URLField(
                allow_null=True, help_text="The previous page; null: none."
            ),
            "results": results,
        },
    )


def list_schema(
    item: Any,
    name: str,
    *,
    parameters: Sequence[Any] = (),
    extra: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> Callable[[Any], Any]:
    """``extend_schema`` for a list: its filters (``parameters``), ``limit`` and ``offset``,
    and the page envelope of ``item`` as the answer (see :func:`paged`)."""
    return extend_schema(
        parameters=[*parameters, PageQuerySerializer],
        responses=paged(item, name, extra=extra),
        **kwargs,
    )
