"""Stock held for a sale that waits for its payment (mobile money, card, UPI).

Held at checkout as reservations (nothing is taken, booked or numbered yet), taken when the
payment succeeds, released when the sale is voided; a hold not taken by then lapses after
``PAYMENT_HOLD`` (``inventory.services.reservations_expire``). Lines are handled in product
order, so two sales never lock the same levels in opposite orders.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from moneyed import Money

from saas_platform.errors import FieldErrorCollector
from shared_apps.users.actors import person_or_none
from tenant_apps.inventory.errors import InsufficientStock
from tenant_apps.inventory.models import (
    Location,
    MovementReason,
    Reservation,
    ReservationStatus,
    StockLevel,
)
from tenant_apps.inventory.services import (
    reservation_create,
    reservation_fulfil,
    reservation_release,
)
from tenant_apps.inventory.stock import stock_remove
from tenant_apps.sales.models import Sale, SaleLine

# How long stock stays held for a sale waiting on a payment before the reservation lapses.
PAYMENT_HOLD = timedelta(minutes=30)
ZERO = Decimal(0)


class ShortStock(InsufficientStock):
    default_message = "Some lines are short of stock."


def in_stock_order(lines: list[SaleLine]) -> list[SaleLine]:
    """The lines that move stock, in product order (the stable order of every sale's locks)."""
    return sorted(
        (ln for ln in lines if ln.product.is_tracked), key=lambda ln: (ln.product_id, ln.line_no)
    )


def short_stock(lines: list[SaleLine], location: Location) -> ShortStock:
    """The refusal of a sale some of whose lines ``location`` cannot supply: one field error a
    short line, saying how much is left."""
    needed: dict[int, Decimal] = defaultdict(Decimal)
    for line in lines:
        if line.product.is_tracked:
            needed[line.product_id] += line.quantity
    free = {
        level.product_id: level.quantity - level.reserved
        for level in StockLevel.objects.filter(location=location, product_id__in=needed)
    }
    errors = FieldErrorCollector()
    for index, line in enumerate(lines):
        have = free.get(line.product_id, ZERO)
        if line.product.is_tracked and have < needed[line.product_id]:
            errors.add(
                f"lines[{index}].quantity",
                "insufficient_stock",
                f"Only {have.normalize():f} of {line.product.name} left at {location.name}.",
            )
    return ShortStock("Some lines are short of stock.", fields=errors.fields)


def _hold_reference(sale: Sale, line: SaleLine) -> str:
    return f"sale:{sale.uuid}:{line.line_no}"


def _held(sale: Sale) -> QuerySet[Reservation]:
    return Reservation.objects.filter(
        reference__startswith=f"sale:{sale.uuid}:", status=ReservationStatus.ACTIVE
    )


def sale_stock_hold(*, sale: Sale, lines: list[SaleLine], actor: Any) -> None:
    """Reserves each line's stock at the sale's till for ``PAYMENT_HOLD``; refuses the whole
    sale (``ShortStock``) if a line cannot be held."""
    location = sale.register.location
    expires = timezone.now() + PAYMENT_HOLD
    for line in in_stock_order(lines):
        try:
            reservation_create(
                product=line.product,
                location=location,
                quantity=line.quantity,
                expires_at=expires,
                reference=_hold_reference(sale, line),
                actor=person_or_none(actor),
            )
        except InsufficientStock as error:
            raise short_stock(lines, location) from error


def sale_stock_take_held(*, sale: Sale, lines: list[SaleLine], actor: Any) -> None:
    """Takes what was held for the sale out of stock (its payment came in) and sets each
    line's cost; a line whose hold lapsed is taken anyway."""
    reference = str(sale.uuid)
    held = {r.reference: r for r in _held(sale)}
    for line in in_stock_order(lines):
        reservation = held.get(_hold_reference(sale, line))
        if reservation is not None:
            consumed = reservation_fulfil(
                reservation_id=reservation.pk,
                reason=MovementReason.SALE,
                reference=reference,
                actor=actor,
            )
        else:
            # The hold lapsed while the customer paid. The money is in and the goods left with
            # the customer, so the sale stands even if that takes the level below zero (which
            # raises an alert for someone to count); refusing would only lose the payment.
            consumed = stock_remove(
                product=line.product,
                location=sale.register.location,
                quantity=line.quantity,
                reason=MovementReason.SALE,
                reference=reference,
                allow_negative=True,
            )
        line.cost = Money(sum((c.cost.amount for c in consumed), ZERO), line.cost.currency)


def sale_stock_release(*, sale: Sale) -> None:
    """Gives back what is still held for the sale (it was voided before its payment came)."""
    for reservation in _held(sale):
        reservation_release(reservation_id=reservation.pk)
