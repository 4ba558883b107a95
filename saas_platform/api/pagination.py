"""Offset paging shared by the list endpoints: ``?offset=N``, a fixed page size."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request

PAGE_SIZE = 100


def requested_offset(request: Request) -> int:
    # A malformed offset is read as the first page rather than refused: it is only navigation.
    try:
        return max(0, int(request.query_params.get("offset", 0)))
    except ValueError:
        return 0


def page_of(request: Request, queryset: Any) -> tuple[Any, dict[str, int]]:
    offset = requested_offset(request)
    return queryset[offset : offset + PAGE_SIZE], {"offset": offset, "limit": PAGE_SIZE}
