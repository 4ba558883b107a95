"""Coupons: making them, and counting a use at checkout.

Whether a coupon applies to a cart, and what it takes off, is pricing
(``tenant_apps.sales.pricing.cart``), which a quote runs too; only the use is a write.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Q

from saas_platform.errors import Conflict, ValidationFailed
from saas_platform.money import money
from tenant_apps.catalog.models import Category, Product
from tenant_apps.sales.models import Coupon


def coupon_create(
    *,
    code: str,
    kind: str,
    value: Decimal,
    description: str = "",
    product_id: int | None = None,
    category_id: int | None = None,
    min_spend: Decimal | None = None,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    max_uses: int | None = None,
) -> Coupon:
    if value <= 0 or (kind == "percent" and value > 100):
        raise ValidationFailed.for_field("value", "out_of_range", "Give 0 to 100 % or an amount.")
    if valid_from and valid_until and valid_until <= valid_from:
        raise ValidationFailed.for_field("valid_until", "before_start", "End after the start.")
    # Checked here: the foreign keys are only enforced at commit, where the refusal would be
    # mistaken for a taken code.
    if product_id is not None and not Product.objects.filter(pk=product_id).exists():
        raise ValidationFailed.for_field("product", "not_found", f"No product {product_id}.")
    if category_id is not None and not Category.objects.filter(pk=category_id).exists():
        raise ValidationFailed.for_field("category", "not_found", f"No category {category_id}.")
    if Coupon.objects.filter(code=code.strip().upper()).exists():
        raise Conflict.for_field("code", "taken", f"A coupon {code} exists already.")
    try:
        with transaction.atomic():
            return Coupon.objects.create(
                code=code.strip().upper(),
                kind=kind,
                value=value,
                description=description,
                product_id=product_id,
                category_id=category_id,
                min_spend=money(min_spend) if min_spend is not None else None,
                valid_from=valid_from,
                valid_until=valid_until,
                max_uses=max_uses,
            )
    except IntegrityError as error:
        raise Conflict.for_field("code", "taken", f"A coupon {code} exists already.") from error


def coupon_use(*, coupon: Coupon) -> None:
    """Counts one use, in the caller's transaction; the last use cannot be taken twice (a
    conditional UPDATE, no read-modify-write)."""
    used = Coupon.objects.filter(
        Q(max_uses__isnull=True) | Q(uses__lt=F("max_uses")), pk=coupon.pk
    ).update(uses=F("uses") + 1)
    if not used:
        raise Conflict.for_field("coupon", "used_up", "This coupon has been used up.")
