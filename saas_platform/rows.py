"""One row a caller asked for by its key: the row, or a 404 that says what is missing.

Its locking twin is ``saas_platform.locking.lock_found``; both take a model or a queryset, the
message, and the key as filters, so a read and a locked read of the same row look alike."""

from __future__ import annotations

from typing import Any, TypeVar, overload

from django.db.models import Model, QuerySet

from saas_platform.errors import NotFound

_M = TypeVar("_M", bound=Model)
_R = TypeVar("_R")


def query_of(rows: type[Model] | QuerySet[Any, Any]) -> QuerySet[Any, Any]:
    """``rows`` as a queryset: a model stands for all of its rows."""
    return rows._default_manager.all() if isinstance(rows, type) else rows


@overload
def row_found(rows: QuerySet[Any, _R], /, *, missing: str, **filters: Any) -> _R: ...
@overload
def row_found(rows: type[_M], /, *, missing: str, **filters: Any) -> _M: ...
def row_found(rows: type[Model] | QuerySet[Any, Any], /, *, missing: str, **filters: Any) -> Any:
    """The row of ``rows`` matching ``filters``; none is a 404 that says ``missing``."""
    found = query_of(rows).filter(**filters).first()
    if found is None:
        raise NotFound(missing)
    return found
