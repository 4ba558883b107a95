"""The only code that changes stock: every change is a conditional UPDATE plus a movement.

Stock levels are never read, changed in Python and written back. Increases and decreases are
single ``UPDATE … SET quantity = quantity ± n`` statements; a decrease carries the condition
``quantity - reserved >= n`` and changes no row when stock is short, so concurrent sales can
never oversell. Batches are consumed oldest first under row locks taken after the level's row
lock, always in that order, so two operations on one product queue rather than deadlock.
Callers that touch several products take them in (product id, location id) order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from moneyed import Money

from saas_platform.errors import ValidationFailed
from saas_platform.locking import lock_row, lock_rows
from shared_apps.users.actors import person_or_none
from shared_apps.users.models import User
from tenant_apps.catalog.models import Product
from tenant_apps.inventory.alerts import stock_alerts_refresh
from tenant_apps.inventory.errors import InsufficientStock, StockDrift
from tenant_apps.inventory.models import Batch, Location, StockLevel, StockMovement


def _positive(quantity: Decimal, field: str = "quantity") -> Decimal:
    quantity = Decimal(quantity)
    if quantity <= 0:
        raise ValidationFailed.for_field(field, "not_positive", "The quantity must be above zero.")
    return quantity


def _tracked(product: Product) -> None:
    if not product.is_tracked:
        raise ValidationFailed.for_field(
            "product", "not_stocked", f"{product.name} is a service and holds no stock."
        )


def ensure_level(product: Product, location: Location) -> None:
    # INSERT … ON CONFLICT DO NOTHING: safe when two requests create the first row at once.
    StockLevel.objects.bulk_create(
        [StockLevel(product=product, location=location)], ignore_conflicts=True
    )


@transaction.atomic
def stock_receive(
    *,
    product: Product,
    location: Location,
    quantity: Decimal,
    unit_cost: Money,
    reason: str,
    reference: str = "",
    actor: User | None = None,
    lot_code: str = "",
    expires_on: date | None = None,
    received_at: datetime | None = None,
    note: str = "",
) -> Batch:
    """Adds stock as a new batch at ``unit_cost``."""
    quantity = _positive(quantity)
    _tracked(product)
    if unit_cost.amount < 0:
        raise ValidationFailed.for_field("unit_cost", "negative", "A cost cannot be negative.")
    ensure_level(product, location)
    StockLevel.objects.filter(product=product, location=location).update(
        quantity=F("quantity") + quantity, updated_at=timezone.now()
    )
    batch = Batch.objects.create(
        product=product,
        location=location,
        lot_code=lot_code,
        received_at=received_at or timezone.now(),
        expires_on=expires_on,
        unit_cost=unit_cost,
        quantity_received=quantity,
        quantity_remaining=quantity - _fill_deficit(product, location, quantity),
        reference=reference,
    )
    StockMovement.objects.create(
        product=product,
        location=location,
        batch=batch,
        quantity=quantity,
        unit_cost=unit_cost,
        reason=reason,
        reference=reference,
        note=note,
        created_by=person_or_none(actor),
    )
    stock_alerts_refresh(product=product, location=location)
    return batch


def _fill_deficit(product: Product, location: Location, quantity: Decimal) -> Decimal:
    """Units sold below zero are owed to the deficit batch; a receipt pays them back first."""
    deficit = lock_row(
        Batch, product=product, location=location, is_deficit=True, quantity_remaining__lt=0
    )
    if deficit is None:
        return Decimal(0)
    filled = min(-deficit.quantity_remaining, quantity)
    Batch.objects.filter(pk=deficit.pk).update(quantity_remaining=F("quantity_remaining") + filled)
    return filled


@dataclass(frozen=True)
class Consumed:
    batch: Batch
    quantity: Decimal

    @property
    def cost(self) -> Money:
        return self.batch.unit_cost * self.quantity


def stock_take(
    *,
    product: Product,
    location: Location,
    quantity: Decimal,
    reason: str,
    reference: str = "",
    actor: User | None = None,
    note: str = "",
    from_reserved: Decimal = Decimal(0),
    allow_negative: bool = False,
) -> list[Consumed]:
    """Takes stock out, oldest batches first; refuses (changing nothing) when stock is short.

    It runs in the caller's transaction without a savepoint of its own, so a caller that goes
    on after a refusal must use ``stock_remove``; a checkout, which rolls back as a whole when
    a line is short, saves the two round trips a line.

    ``from_reserved`` is the part of ``quantity`` that fulfils a reservation, so it may use
    reserved stock; the rest may only use what is not reserved. With ``allow_negative`` (a
    business that sells ahead of its deliveries) a shortfall takes the level below zero instead,
    costed at the product's standard cost, and raises an alert — but never while anything at
    that place is reserved for someone else.
    """
    quantity = _positive(quantity)
    _tracked(product)
    left = _take_level(product, location, quantity, from_reserved, allow_negative=False)
    if left is None and allow_negative and not from_reserved:
        ensure_level(product, location)
        left = _take_level(product, location, quantity, from_reserved, allow_negative=True)
    if left is None:
        raise InsufficientStock(
            f"Not enough {product.name} at {location.name} for {quantity.normalize()}."
        )
    consumed: list[Consumed] = []
    remaining = quantity
    batches = lock_rows(
        Batch.objects.filter(product=product, location=location, quantity_remaining__gt=0)
    )
    for batch in sorted(batches, key=lambda b: (b.received_at, b.pk)):  # oldest first
        take = min(batch.quantity_remaining, remaining)
        Batch.objects.filter(pk=batch.pk).update(quantity_remaining=F("quantity_remaining") - take)
        consumed.append(Consumed(batch=batch, quantity=take))
        remaining -= take
        if remaining == 0:
            break
    if remaining and allow_negative:
        consumed.append(_sell_short(product, location, remaining))
        remaining = Decimal(0)
    if remaining:
        raise StockDrift(
            f"The batches of {product.name} at {location.name} hold less than its stock level; "
            "run `manage.py verify_stock`."
        )
    StockMovement.objects.bulk_create(
        [
            StockMovement(
                product=product,
                location=location,
                batch=part.batch,
                quantity=-part.quantity,
                unit_cost=part.batch.unit_cost,
                reason=reason,
                reference=reference,
                note=note,
                created_by=person_or_none(actor),
            )
            for part in consumed
        ]
    )
    on_hand, threshold = left
    # Taking stock out can only raise alerts, never resolve them: look only when one may be due.
    if on_hand < 0 or (threshold is not None and on_hand <= threshold):
        stock_alerts_refresh(product=product, location=location)
    return consumed


# ``stock_take`` in a transaction (or a savepoint) of its own, for a caller that goes on after a
# refusal.
stock_remove = transaction.atomic(stock_take)


def _take_level(
    product: Product,
    location: Location,
    quantity: Decimal,
    from_reserved: Decimal,
    *,
    allow_negative: bool,
) -> tuple[Decimal, Decimal | None] | None:
    """The conditional UPDATE of a level; returns what is left and the low-stock threshold, or
    None when the condition refused (stock short, or reserved for someone else)."""
    condition = (
        "reserved = 0"
        if allow_negative
        else "quantity >= reserved + %(free)s AND reserved >= %(reserved)s"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {StockLevel._meta.db_table} "  # noqa: S608 — table name and a fixed clause
            "SET quantity = quantity - %(quantity)s, reserved = reserved - %(reserved)s, "
            "updated_at = %(now)s "
            f"WHERE product_id = %(product)s AND location_id = %(location)s AND {condition} "
            "RETURNING quantity, low_stock_threshold",
            {
                "quantity": quantity,
                "reserved": from_reserved,
                "free": quantity - from_reserved,
                "product": product.pk,
                "location": location.pk,
                "now": timezone.now(),
            },
        )
        row = cursor.fetchone()
    return (row[0], row[1]) if row is not None else None


def _sell_short(product: Product, location: Location, quantity: Decimal) -> Consumed:
    Batch.objects.bulk_create(
        [
            Batch(
                product=product,
                location=location,
                received_at=timezone.now(),
                unit_cost=product.cost_price,
                quantity_received=0,
                quantity_remaining=0,
                is_deficit=True,
                reference="deficit",
            )
        ],
        ignore_conflicts=True,
    )
    deficit = lock_row(Batch, product=product, location=location, is_deficit=True)
    if deficit is None:  # inserted just above if missing; here for the type checker
        raise StockDrift(f"The deficit batch of {product.name} at {location.name} is missing.")
    Batch.objects.filter(pk=deficit.pk).update(
        quantity_remaining=F("quantity_remaining") - quantity, unit_cost=product.cost_price
    )
    deficit.unit_cost = product.cost_price
    return Consumed(batch=deficit, quantity=quantity)


def stock_available(product: Product, location: Location) -> Decimal:
    level = StockLevel.objects.filter(product=product, location=location).first()
    return (level.quantity - level.reserved) if level else Decimal(0)
