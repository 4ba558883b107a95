"""What changed since an instant: the one filter behind every list an integrator syncs.

Each synced model has ``updated_at = DateTimeField(auto_now=True, db_index=True)``. ``auto_now``
is set by ``save()`` only: an ``.update()`` (a balance moved with ``F()``) or a
``save(update_fields=[...])`` must write ``updated_at`` itself, or the change is never synced.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def changed_since(rows: QuerySet[M], since: datetime | None) -> QuerySet[M]:
    """``rows`` changed at or after ``since``, oldest change first and id breaking ties, so a
    client can read them page by page; all of ``rows``, as they were, when ``since`` is None."""
    if since is None:
        return rows
    return rows.filter(updated_at__gte=since).order_by("updated_at", "pk")
