"""Every new business starts with a till in its main store."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared_apps.tenants.seed_hooks import register_seed_hook
from tenant_apps.inventory.models import Location, LocationKind
from tenant_apps.sales.services.tills import register_create

if TYPE_CHECKING:
    from shared_apps.tenants.models import Tenant
    from shared_apps.users.models import User


@register_seed_hook("sales.default_register", order=30)
def seed_default_register(*, tenant: Tenant, owner: User) -> None:
    store = Location.objects.filter(kind=LocationKind.STOREFRONT, is_default=True).first()
    if store is not None:
        register_create(code="TILL1", name="Till 1", location_id=store.pk, receipt_prefix="T1-")
