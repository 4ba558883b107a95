"""Sales for the demo business: two tills, a coupon, and a closed shift of real checkouts.

Everything goes through the checkout service, so the demo's stock, books and reports agree
with what a cashier would have produced.
"""

from __future__ import annotations

import random
import uuid
from decimal import Decimal

from django.db.models import F

from saas_platform.money import money
from shared_apps.users.models import User
from tenant_apps.catalog.models import ProductKind
from tenant_apps.inventory.models import Location, StockLevel
from tenant_apps.sales.models import Coupon, Register, Sale
from tenant_apps.sales.requests import CheckoutRequest, LineRequest, TenderRequest
from tenant_apps.sales.selectors import shift_summary
from tenant_apps.sales.services.checkout import sale_checkout
from tenant_apps.sales.services.coupons import coupon_create
from tenant_apps.sales.services.tills import register_create, shift_close, shift_open

DEMO_SALES = 40


def seed_demo_sales(*, cashier: User) -> None:
    """Idempotent: tills and the coupon when missing; the sales only once."""
    store = Location.objects.get(code="STORE")
    for code, name, prefix in (("TILL1", "Till 1", "T1-"), ("TILL2", "Till 2", "T2-")):
        if not Register.objects.filter(code=code).exists():
            register_create(code=code, name=name, location_id=store.pk, receipt_prefix=prefix)
    if not Coupon.objects.filter(code="KARIBU10").exists():
        coupon_create(
            code="KARIBU10",
            kind="percent",
            value=Decimal(10),
            description="10% off a first shop of 1,000 or more",
            min_spend=Decimal(1000),
            max_uses=100,
        )
    if Sale.objects.exists():
        return
    till = Register.objects.get(code="TILL2")
    shift = shift_open(register_id=till.pk, opening_float=money(2000), actor=cashier)
    rng = random.Random(2611)  # noqa: S311 — demo data, reproducible
    on_shelf = list(
        StockLevel.objects.filter(
            location=store,
            quantity__gte=F("reserved") + 5,
            product__kind=ProductKind.STOCK,
            product__price__gt=0,
        )
        .select_related("product")
        .order_by("product_id")
    )
    if not on_shelf:
        return
    for _ in range(DEMO_SALES):
        picked = rng.sample(on_shelf, k=min(len(on_shelf), rng.randint(1, 4)))
        lines = [LineRequest(product_id=level.product_id, quantity=Decimal(1)) for level in picked]
        total = sum((level.product.price.amount for level in picked), Decimal(0))
        cash = (total / 50).to_integral_value(rounding="ROUND_CEILING") * 50 + 100
        sale_checkout(
            request=CheckoutRequest(
                uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
                register_id=till.pk,
                lines=lines,
                tenders=[TenderRequest(method="cash", amount=cash)],
            ),
            actor=cashier,
        )
    # The cashier counts 50 short, so the demo's Z report shows a variance.
    expected = Decimal(shift_summary(shift)["expected_cash"])
    shift_close(shift_id=shift.pk, counted_cash=money(expected - 50), note="Demo", actor=cashier)
