"""Every new business starts with a shop floor and a warehouse."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared_apps.tenants.seed_hooks import register_seed_hook
from tenant_apps.inventory.models import LocationKind
from tenant_apps.inventory.services import location_create

if TYPE_CHECKING:
    from shared_apps.tenants.models import Tenant
    from shared_apps.users.models import User


@register_seed_hook("inventory.default_locations", order=10)
def seed_default_locations(*, tenant: Tenant, owner: User) -> None:
    location_create(code="STORE", name="Main store", kind=LocationKind.STOREFRONT, is_default=True)
    location_create(code="WH", name="Main warehouse", kind=LocationKind.WAREHOUSE, is_default=True)
