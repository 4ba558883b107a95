"""Reads of the message index."""

from __future__ import annotations

from collections.abc import Iterable

from shared_apps.delivery_reports.models import MessageRoute
from shared_apps.tenants.models import Tenant


def message_route_businesses(*, provider: str, message_ids: Iterable[str]) -> dict[str, Tenant]:
    """The business that sent each of ``message_ids`` (ids nobody recorded are left out), in
    one query."""
    ids = sorted(set(message_ids))
    if not ids:
        return {}
    routes = MessageRoute.objects.filter(provider=provider, message_id__in=ids).select_related(
        "tenant"
    )
    return {route.message_id: route.tenant for route in routes}
