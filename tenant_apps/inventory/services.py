"""Inventory workflows: locations, adjustments, transfers, counts, reservations, thresholds.

Every quantity change goes through ``stock.py``; these functions add the workflow states and
the checks around them. Operations on several products take them in product-id order, the
lock order that keeps concurrent workflows from deadlocking.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from moneyed import Money

from billing.entitlements import require
from billing.models import Limit
from saas_platform.errors import Conflict, NotFound, ValidationFailed
from saas_platform.locking import lock_found, lock_row, lock_rows
from shared_apps.users.actors import person_or_none
from tenant_apps.catalog.models import Product
from tenant_apps.inventory.alerts import stock_alerts_refresh
from tenant_apps.inventory.errors import InsufficientStock
from tenant_apps.inventory.models import (
    AlertStatus,
    CountStatus,
    Location,
    LocationKind,
    MovementReason,
    Reservation,
    ReservationStatus,
    StockAlert,
    StockCount,
    StockCountLine,
    StockLevel,
    Transfer,
    TransferLine,
    TransferStatus,
)
from tenant_apps.inventory.stock import Consumed, ensure_level, stock_receive, stock_remove
from tenant_apps.ledger.events import (
    count_variances_posted,
    opening_stock_posted,
    stock_gain_posted,
    stock_loss_posted,
)

ADJUSTMENT_REASONS = {
    MovementReason.DAMAGE,
    MovementReason.THEFT,
    MovementReason.EXPIRY,
    MovementReason.CORRECTION,
}


@transaction.atomic
def location_create(*, code: str, name: str, kind: str, is_default: bool = False) -> Location:
    if Location.objects.filter(code__iexact=code).exists():
        raise Conflict.for_field("code", "code_taken", f"A location with code {code} exists.")
    location = Location(code=code.upper(), name=name.strip(), kind=kind, is_default=is_default)
    location.full_clean()
    if kind == LocationKind.STOREFRONT:
        require(Limit.STORES)
    if is_default:
        Location.objects.filter(kind=kind, is_default=True).update(is_default=False)
    location.save()
    return location


@transaction.atomic
def location_update(
    *, location: Location, name: str | None = None, is_active: bool | None = None
) -> Location:
    if name is not None:
        location.name = name.strip()
    if is_active is False and StockLevel.objects.filter(location=location, quantity__gt=0).exists():
        raise Conflict(
            "Move or write off the stock held here before closing the location.",
            code="location_has_stock",
        )
    if is_active is not None:
        location.is_active = is_active
    location.full_clean()
    location.save()
    return location


@transaction.atomic
def stock_threshold_set(
    *, product: Product, location: Location, threshold: Decimal | None
) -> StockLevel:
    if threshold is not None and threshold < 0:
        raise ValidationFailed.for_field("threshold", "negative", "A threshold cannot be negative.")
    ensure_level(product, location)
    StockLevel.objects.filter(product=product, location=location).update(
        low_stock_threshold=threshold, updated_at=timezone.now()
    )
    stock_alerts_refresh(product=product, location=location)
    return StockLevel.objects.get(product=product, location=location)


def _check_open_location(location: Location) -> None:
    if not location.is_active:
        raise Conflict(f"{location.name} is closed.", code="location_closed")


@transaction.atomic
def stock_adjust(
    *,
    product: Product,
    location: Location,
    quantity: Decimal,
    reason: str,
    note: str = "",
    actor: object = None,
) -> None:
    """Writes stock off (negative) or books found stock (positive, corrections only)."""
    if reason not in ADJUSTMENT_REASONS:
        raise ValidationFailed.for_field(
            "reason", "invalid_reason", f"Use one of {', '.join(sorted(ADJUSTMENT_REASONS))}."
        )
    if quantity == 0:
        raise ValidationFailed.for_field("quantity", "zero", "An adjustment cannot be zero.")
    _check_open_location(location)
    reference = f"ADJ-{timezone.now():%Y%m%d%H%M%S}"
    if quantity > 0:
        if reason != MovementReason.CORRECTION:
            raise ValidationFailed.for_field(
                "quantity", "not_a_write_off", f"A {reason} write-off takes stock out."
            )
        batch = stock_receive(
            product=product,
            location=location,
            quantity=quantity,
            unit_cost=product.cost_price,
            reason=reason,
            reference=reference,
            actor=person_or_none(actor),
            note=note,
        )
        stock_gain_posted(
            costs=[batch.unit_cost * quantity],
            memo=f"{reference}: {product.name} found at {location.name}",
            source="stock_adjustment",
            actor=actor,
        )
    else:
        consumed = stock_remove(
            product=product,
            location=location,
            quantity=-quantity,
            reason=reason,
            reference=reference,
            actor=person_or_none(actor),
            note=note,
        )
        stock_loss_posted(
            costs=[part.cost for part in consumed],
            memo=f"{reference}: {product.name} written off at {location.name} ({reason})",
            source="stock_adjustment",
            actor=actor,
        )


@transaction.atomic
def stock_opening_balance(
    *, product: Product, location: Location, quantity: Decimal, actor: object = None
) -> None:
    """Stock a business already had when it started using Duka, at the product's cost."""
    _check_open_location(location)
    stock_receive(
        product=product,
        location=location,
        quantity=quantity,
        unit_cost=product.cost_price,
        reason=MovementReason.OPENING,
        reference="OPENING",
        actor=person_or_none(actor),
    )
    opening_stock_posted(
        cost=product.cost_price * quantity,
        memo=f"Opening stock: {quantity.normalize():f} of {product.name} at {location.name}",
        actor=actor,
    )


# --- Transfers ------------------------------------------------------------------------------


def _merge_lines(lines: Sequence[tuple[Product, Decimal]]) -> list[tuple[Product, Decimal]]:
    totals: dict[int, tuple[Product, Decimal]] = {}
    for product, quantity in lines:
        if quantity <= 0:
            raise ValidationFailed.for_field(
                "lines", "not_positive", "Every quantity must be above zero."
            )
        previous = totals.get(product.pk)
        totals[product.pk] = (product, quantity + (previous[1] if previous else 0))
    return [totals[pk] for pk in sorted(totals)]


@transaction.atomic
def transfer_create(
    *,
    source: Location,
    destination: Location,
    lines: Sequence[tuple[Product, Decimal]],
    note: str = "",
    actor: object = None,
) -> Transfer:
    if source.pk == destination.pk:
        raise ValidationFailed.for_field(
            "to_location", "same_location", "Choose a different destination."
        )
    if not lines:
        raise ValidationFailed.for_field("lines", "required", "Add at least one product.")
    _check_open_location(source)
    _check_open_location(destination)
    transfer = Transfer.objects.create(
        source=source, destination=destination, note=note, created_by=person_or_none(actor)
    )
    TransferLine.objects.bulk_create(
        [
            TransferLine(transfer=transfer, product=product, quantity=quantity)
            for product, quantity in _merge_lines(lines)
        ]
    )
    return transfer


def _lock_transfer(transfer_id: int) -> Transfer:
    # Not its two Location rows (lock_row locks the transfer's own row only): every concurrent
    # stock movement's deferred foreign-key check needs them at commit — a deadlock.
    return lock_found(
        Transfer.objects.select_related("source", "destination"),
        pk=transfer_id,
        missing="No such transfer.",
    )


@transaction.atomic
def transfer_dispatch(*, transfer_id: int, actor: object = None) -> Transfer:
    """Takes the goods out of the source; they are in transit until received."""
    transfer = _lock_transfer(transfer_id)
    if transfer.status != TransferStatus.DRAFT:
        raise Conflict(f"This transfer is {transfer.status}.", code="transfer_not_draft")
    for line in transfer.lines.select_related("product").order_by("product_id"):
        consumed = stock_remove(
            product=line.product,
            location=transfer.source,
            quantity=line.quantity,
            reason=MovementReason.TRANSFER_OUT,
            reference=f"TR-{transfer.pk}",
            actor=person_or_none(actor),
        )
        total_cost = sum((part.cost for part in consumed[1:]), consumed[0].cost)
        line.unit_cost = total_cost / line.quantity
        line.save(update_fields=["unit_cost", "unit_cost_currency"])
    transfer.status = TransferStatus.IN_TRANSIT
    transfer.dispatched_at = timezone.now()
    transfer.save(update_fields=["status", "dispatched_at"])
    return transfer


@transaction.atomic
def transfer_receive(
    *, transfer_id: int, received: Mapping[int, Decimal] | None = None, actor: object = None
) -> Transfer:
    """Books goods in at the destination: everything outstanding, or ``{product id: qty}``."""
    transfer = _lock_transfer(transfer_id)
    if transfer.status != TransferStatus.IN_TRANSIT:
        raise Conflict(f"This transfer is {transfer.status}.", code="transfer_not_in_transit")
    lines = {line.product_id: line for line in transfer.lines.select_related("product")}
    wanted = (
        {pk: line.quantity - line.quantity_received for pk, line in lines.items()}
        if received is None
        else dict(received)
    )
    unknown = sorted(set(wanted) - set(lines))
    if unknown:
        raise ValidationFailed.for_field(
            "lines", "not_on_transfer", f"Products {unknown} are not on this transfer."
        )
    for product_id in sorted(wanted):
        quantity, line = Decimal(wanted[product_id]), lines[product_id]
        if quantity == 0:
            continue
        if quantity < 0 or quantity > line.quantity - line.quantity_received:
            raise ValidationFailed.for_field(
                f"lines.{product_id}",
                "more_than_sent",
                f"Only {(line.quantity - line.quantity_received).normalize()} of "
                f"{line.product.name} is still in transit.",
            )
        stock_receive(
            product=line.product,
            location=transfer.destination,
            quantity=quantity,
            unit_cost=line.unit_cost or line.product.cost_price,
            reason=MovementReason.TRANSFER_IN,
            reference=f"TR-{transfer.pk}",
            actor=person_or_none(actor),
        )
        TransferLine.objects.filter(pk=line.pk).update(
            quantity_received=F("quantity_received") + quantity
        )
    if not transfer.lines.filter(quantity_received__lt=F("quantity")).exists():
        transfer.status = TransferStatus.RECEIVED
        transfer.received_at = timezone.now()
        transfer.save(update_fields=["status", "received_at"])
    return transfer


@transaction.atomic
def transfer_cancel(*, transfer_id: int) -> Transfer:
    transfer = _lock_transfer(transfer_id)
    if transfer.status != TransferStatus.DRAFT:
        raise Conflict(
            "Only a draft transfer can be cancelled; receive what was dispatched.",
            code="transfer_not_draft",
        )
    transfer.status = TransferStatus.CANCELLED
    transfer.save(update_fields=["status"])
    return transfer


# --- Stock counts ---------------------------------------------------------------------------


@transaction.atomic
def count_open(
    *,
    location: Location,
    products: Sequence[Product] | None = None,
    blind: bool = True,
    note: str = "",
    actor: object = None,
) -> StockCount:
    """Starts a count of ``products`` (default: everything stocked here)."""
    _check_open_location(location)
    if StockCount.objects.filter(location=location, status=CountStatus.OPEN).exists():
        raise Conflict(f"A count is already open at {location.name}.", code="count_already_open")
    count = StockCount.objects.create(
        location=location, blind=blind, note=note, created_by=person_or_none(actor)
    )
    levels = StockLevel.objects.filter(location=location)
    if products is not None:
        levels = levels.filter(product__in=products)
    expected = dict(levels.values_list("product_id", "quantity"))
    chosen = sorted({p.pk for p in products}) if products is not None else sorted(expected)
    StockCountLine.objects.bulk_create(
        [
            StockCountLine(count=count, product_id=pk, expected=expected.get(pk, Decimal(0)))
            for pk in chosen
        ]
    )
    return count


def _lock_count(count_id: int) -> StockCount:
    return lock_found(
        StockCount.objects.select_related("location"), pk=count_id, missing="No such stock count."
    )


@transaction.atomic
def count_record(*, count_id: int, counted: Mapping[int, Decimal]) -> StockCount:
    count = _lock_count(count_id)
    if count.status != CountStatus.OPEN:
        raise Conflict(f"This count is {count.status}.", code="count_not_open")
    lines = {line.product_id: line for line in count.lines.all()}
    for product_id, quantity in counted.items():
        if product_id not in lines:
            raise ValidationFailed.for_field(
                f"lines.{product_id}", "not_in_count", "This product is not part of the count."
            )
        if quantity < 0:
            raise ValidationFailed.for_field(
                f"lines.{product_id}", "negative", "A counted quantity cannot be negative."
            )
    for product_id, quantity in counted.items():
        StockCountLine.objects.filter(pk=lines[product_id].pk).update(counted=quantity)
    return count


@transaction.atomic
def count_complete(*, count_id: int, actor: object = None) -> StockCount:
    """Adjusts stock to what was counted. Lines nobody counted are left alone."""
    count = _lock_count(count_id)
    if count.status != CountStatus.OPEN:
        raise Conflict(f"This count is {count.status}.", code="count_not_open")
    reference = f"COUNT-{count.pk}"
    losses: list[Money] = []
    gains: list[Money] = []
    for line in count.lines.select_related("product").order_by("product_id"):
        if line.counted is None:
            continue
        ensure_level(line.product, count.location)
        level = lock_row(StockLevel, product=line.product, location=count.location)
        if level is None:  # ensure_level made it; here for the type checker
            raise NotFound("No such stock level.")
        variance = line.counted - level.quantity
        if variance > 0:
            batch = stock_receive(
                product=line.product,
                location=count.location,
                quantity=variance,
                unit_cost=line.product.cost_price,
                reason=MovementReason.COUNT,
                reference=reference,
                actor=person_or_none(actor),
            )
            gains.append(batch.unit_cost * variance)
        elif variance < 0:
            # What is physically missing is missing, reserved or not.
            free = level.quantity - level.reserved
            consumed = stock_remove(
                product=line.product,
                location=count.location,
                quantity=-variance,
                reason=MovementReason.COUNT,
                reference=reference,
                actor=person_or_none(actor),
                from_reserved=max(Decimal(0), -variance - free),
            )
            losses.extend(part.cost for part in consumed)
        StockCountLine.objects.filter(pk=line.pk).update(variance=variance)
    count_variances_posted(
        losses=losses,
        gains=gains,
        memo=f"{reference}: stock count variances at {count.location.name}",
        reference=reference,
        actor=actor,
    )
    count.status = CountStatus.COMPLETED
    count.completed_at = timezone.now()
    count.save(update_fields=["status", "completed_at"])
    return count


@transaction.atomic
def count_cancel(*, count_id: int) -> StockCount:
    count = _lock_count(count_id)
    if count.status != CountStatus.OPEN:
        raise Conflict(f"This count is {count.status}.", code="count_not_open")
    count.status = CountStatus.CANCELLED
    count.save(update_fields=["status"])
    return count


# --- Reservations ---------------------------------------------------------------------------


@transaction.atomic
def reservation_create(
    *,
    product: Product,
    location: Location,
    quantity: Decimal,
    expires_at: datetime,
    reference: str = "",
    actor: object = None,
) -> Reservation:
    if quantity <= 0:
        raise ValidationFailed.for_field("quantity", "not_positive", "Reserve more than zero.")
    if expires_at <= timezone.now():
        raise ValidationFailed.for_field("expires_at", "in_the_past", "Expire in the future.")
    reserved = StockLevel.objects.filter(
        product=product, location=location, quantity__gte=F("reserved") + quantity
    ).update(reserved=F("reserved") + quantity, updated_at=timezone.now())
    if not reserved:
        raise InsufficientStock(f"Not enough free {product.name} at {location.name} to reserve.")
    return Reservation.objects.create(
        product=product,
        location=location,
        quantity=quantity,
        expires_at=expires_at,
        reference=reference,
        created_by=person_or_none(actor),
    )


def _close_reservation(reservation: Reservation, status: str) -> None:
    StockLevel.objects.filter(
        product_id=reservation.product_id,
        location_id=reservation.location_id,
        reserved__gte=reservation.quantity,
    ).update(reserved=F("reserved") - reservation.quantity, updated_at=timezone.now())
    reservation.status = status
    reservation.closed_at = timezone.now()
    reservation.save(update_fields=["status", "closed_at"])


@transaction.atomic
def reservation_release(*, reservation_id: int) -> Reservation:
    reservation = lock_found(Reservation, pk=reservation_id, missing="No such reservation.")
    if reservation.status != ReservationStatus.ACTIVE:
        raise Conflict(f"This reservation is {reservation.status}.", code="reservation_closed")
    _close_reservation(reservation, ReservationStatus.RELEASED)
    return reservation


@transaction.atomic
def reservation_fulfil(
    *, reservation_id: int, reason: str, reference: str = "", actor: object = None
) -> list[Consumed]:
    """Takes a reserved quantity out of stock (the sale it was held for went through)."""
    reservation = lock_found(
        Reservation.objects.select_related("product", "location"),
        pk=reservation_id,
        missing="No such reservation.",
    )
    if reservation.status != ReservationStatus.ACTIVE:
        raise Conflict(f"This reservation is {reservation.status}.", code="reservation_closed")
    consumed = stock_remove(
        product=reservation.product,
        location=reservation.location,
        quantity=reservation.quantity,
        from_reserved=reservation.quantity,
        reason=reason,
        reference=reference,
        actor=person_or_none(actor),
    )
    reservation.status = ReservationStatus.FULFILLED
    reservation.closed_at = timezone.now()
    reservation.save(update_fields=["status", "closed_at"])
    return consumed


def reservations_expire(*, now: datetime | None = None) -> int:
    """Releases every active reservation past its expiry; returns how many."""
    moment = now or timezone.now()
    released = 0
    while True:
        with transaction.atomic():
            # SKIP LOCKED: a reservation being fulfilled or released right now is left to that.
            batch = lock_rows(
                Reservation.objects.filter(status=ReservationStatus.ACTIVE, expires_at__lte=moment),
                skip_locked=True,
                limit=200,
            )
            for reservation in batch:
                _close_reservation(reservation, ReservationStatus.EXPIRED)
        released += len(batch)
        if len(batch) < 200:
            return released


@transaction.atomic
def stock_alert_resolve(*, alert_id: int) -> StockAlert:
    """Dismisses an alert by hand (e.g. an expiring batch that was donated)."""
    alert = lock_found(StockAlert, pk=alert_id, missing="No such alert.")
    if alert.status != AlertStatus.ACTIVE:
        raise Conflict("This alert is already resolved.", code="alert_resolved")
    alert.status = AlertStatus.RESOLVED
    alert.resolved_at = timezone.now()
    alert.save(update_fields=["status", "resolved_at"])
    return alert
