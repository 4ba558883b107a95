"""How much of each limited thing the current business has now, read from its own schema.

The limits are checked against the business's own tables (its source of truth), never against a
counter kept beside them that could drift.
"""

from __future__ import annotations

from collections.abc import Callable

from billing.models import Limit
from shared_apps.users.models import User
from tenant_apps.catalog.models import Product
from tenant_apps.inventory.models import Location, LocationKind
from tenant_apps.sales.models import Register


def _stores() -> int:
    return Location.objects.filter(kind=LocationKind.STOREFRONT, is_active=True).count()


def _registers() -> int:
    return Register.objects.filter(is_active=True).count()


def _staff_seats() -> int:
    return User.objects.filter(is_active=True).count()


def _products() -> int:
    return Product.objects.filter(is_active=True).count()


IN_USE: dict[str, Callable[[], int]] = {
    Limit.STORES: _stores,
    Limit.REGISTERS: _registers,
    Limit.STAFF_SEATS: _staff_seats,
    Limit.PRODUCTS: _products,
}


def in_use(limit: str) -> int:
    """How many of ``limit`` the business whose schema the connection is on has now."""
    return IN_USE[Limit(limit)]()
