"""Row locks, taken one way: ``SELECT … FOR UPDATE OF <the model's own table>``, by primary key.

Every service that locks rows goes through here (docs/README.md, "Row locks"):

- ``OF self``: with ``select_related`` a plain ``FOR UPDATE`` locks the joined rows too (a
  transfer's locations, a sale's till), which every concurrent stock movement's deferred
  foreign-key check needs at commit: a deadlock, or a queue behind a lock nobody meant to take.
- Primary-key order: PostgreSQL locks rows in the order the query returns them, so two
  transactions locking overlapping rows in the same order queue up instead of deadlocking.
- The locked rows come back as the queryset would give them: model instances, or the values of
  a ``values_list`` query.

Only the lock is taken here; the caller owns the transaction (a lock outside one is an error
raised by Django).
"""

from __future__ import annotations

from typing import Any, TypeVar, overload

from django.db.models import Model, QuerySet

from saas_platform.errors import NotFound
from saas_platform.rows import query_of

_M = TypeVar("_M", bound=Model)
_R = TypeVar("_R")


@overload
def lock_rows(
    rows: QuerySet[Any, _R], *, skip_locked: bool = False, limit: int | None = None
) -> list[_R]: ...
@overload
def lock_rows(
    rows: type[_M], *, skip_locked: bool = False, limit: int | None = None
) -> list[_M]: ...
def lock_rows(
    rows: type[Model] | QuerySet[Any, Any],
    *,
    skip_locked: bool = False,
    limit: int | None = None,
) -> list[Any]:
    """Locks the rows of ``rows`` (a model: all of them) and returns them in primary-key order.

    ``skip_locked`` leaves out rows another transaction holds, for work that any worker may do
    (expiring reservations); ``limit`` takes at most that many, the first by primary key.
    """
    locked = query_of(rows).select_for_update(of=("self",), skip_locked=skip_locked).order_by("pk")
    return list(locked if limit is None else locked[:limit])


@overload
def lock_row(rows: QuerySet[Any, _R], /, **filters: Any) -> _R | None: ...
@overload
def lock_row(rows: type[_M], /, **filters: Any) -> _M | None: ...
def lock_row(rows: type[Model] | QuerySet[Any, Any], /, **filters: Any) -> Any:
    """Locks the row of ``rows`` matching ``filters`` and returns it, or None when there is none
    (when several match, the first by primary key)."""
    return query_of(rows).select_for_update(of=("self",)).filter(**filters).order_by("pk").first()


@overload
def lock_found(rows: QuerySet[Any, _R], /, *, missing: str, **filters: Any) -> _R: ...
@overload
def lock_found(rows: type[_M], /, *, missing: str, **filters: Any) -> _M: ...
def lock_found(rows: type[Model] | QuerySet[Any, Any], /, *, missing: str, **filters: Any) -> Any:
    """``lock_row`` for the row a caller asked for by its key: none is a 404 that says
    ``missing`` ("No such shift.")."""
    found = lock_row(rows, **filters)
    if found is None:
        raise NotFound(missing)
    return found
