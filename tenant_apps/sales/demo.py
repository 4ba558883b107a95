"""Sales for the demo business: two tills, a coupon, and closed shifts of real checkouts.

Everything goes through the checkout service, so the demo's stock, books and reports agree
with what a cashier would have produced.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
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
from tenant_apps.sales.services.tills import (
    register_create,
    shift_close,
    shift_drawer_open,
    shift_open,
)

DEMO_SALES = 40  # on till 2, by the cashier
DEMO_NO_SALES = 6  # drawer openings without a sale, by the same cashier
DEMO_OTHER_SALES = (30, 20)  # on till 1, by each of the other people who sell
NO_SALE_REASONS = [
    "Change for the shop next door",
    "Customer asked for change",
    "Checked the float",
    "Change for a customer",
    "Put a note in",
    "Checked a coin",
]


def seed_demo_sales(*, cashier: User, others: Sequence[User] = ()) -> None:
    """Idempotent: tills and the coupon when missing; the sales only once: a shift of the
    cashier's on till 2, then one on till 1 for each of ``others``."""
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
    # The cashier on till 2 opens the drawer with no sale far more often than the others, and
    # counts 50 short: the demo's anomaly signals and Z report have something to show.
    till1, till2 = Register.objects.get(code="TILL1"), Register.objects.get(code="TILL2")
    _shift(_Shift(till2, cashier, DEMO_SALES, DEMO_NO_SALES, Decimal(-50)), on_shelf, rng)
    for person, count in zip(others, DEMO_OTHER_SALES, strict=False):
        _shift(_Shift(till1, person, count, 0, Decimal(0), discounts=True), on_shelf, rng)


@dataclass(frozen=True)
class _Shift:
    till: Register
    cashier: User
    sales: int
    no_sales: int
    variance: Decimal
    discounts: bool = False  # the manager and owner may; a cashier may not


def _shift(plan: _Shift, on_shelf: list[StockLevel], rng: random.Random) -> None:
    """One shift of real checkouts (a discount on every tenth when ``discounts``), closed
    with ``variance``."""
    shift = shift_open(register_id=plan.till.pk, opening_float=money(2000), actor=plan.cashier)
    for number in range(plan.sales):
        picked = rng.sample(on_shelf, k=min(len(on_shelf), rng.randint(1, 4)))
        lines = [LineRequest(product_id=level.product_id, quantity=Decimal(1)) for level in picked]
        total = sum((level.product.price.amount for level in picked), Decimal(0))
        tenth = plan.discounts and number % 10 == 9 and total > 20
        discount = Decimal(10) if tenth else Decimal(0)
        cash = ((total - discount) / 50).to_integral_value(rounding="ROUND_CEILING") * 50 + 100
        sale_checkout(
            request=CheckoutRequest(
                uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
                register_id=plan.till.pk,
                lines=lines,
                tenders=[TenderRequest(method="cash", amount=cash)],
                cart_discount=discount,
            ),
            actor=plan.cashier,
            may_override_price=plan.discounts,
        )
    for reason in NO_SALE_REASONS[: plan.no_sales]:
        shift_drawer_open(shift_id=shift.pk, reason=reason, actor=plan.cashier)
    expected = Decimal(shift_summary(shift)["expected_cash"])
    shift_close(
        shift_id=shift.pk, counted_cash=money(expected + plan.variance), note="Demo",
        actor=plan.cashier,
    )  # fmt: skip
