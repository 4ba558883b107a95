"""Every new business starts with units, a standard tax rate and a wholesale price list."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from shared_apps.tenants.seed_hooks import register_seed_hook
from tenant_apps.catalog.models import PriceList, TaxRate, Unit

if TYPE_CHECKING:
    from shared_apps.tenants.models import Tenant
    from shared_apps.users.models import User

# Standard VAT rates of the markets we start in; elsewhere the owner sets their own.
STANDARD_VAT = {
    "KE": Decimal("16"),
    "UG": Decimal("18"),
    "TZ": Decimal("18"),
    "RW": Decimal("18"),
    "NG": Decimal("7.5"),
    "GH": Decimal("15"),
    "ZA": Decimal("15"),
    "IN": Decimal("18"),
}


@register_seed_hook("catalog.defaults", order=5)
def seed_catalog_defaults(*, tenant: Tenant, owner: User) -> None:
    Unit.objects.bulk_create(
        [
            Unit(code="pc", name="Piece"),
            Unit(code="kg", name="Kilogram", is_fractional=True),
            Unit(code="l", name="Litre", is_fractional=True),
        ]
    )
    rate = STANDARD_VAT.get(tenant.country, Decimal("0"))
    TaxRate.objects.create(name="Standard VAT" if rate else "No tax", rate=rate, is_default=True)
    if rate:
        TaxRate.objects.create(name="Zero-rated", rate=Decimal("0"))
    PriceList.objects.create(code="wholesale", name="Wholesale")
