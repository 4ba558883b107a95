"""Tills, shifts, cash in and out, coupons, and voiding a sale."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from moneyed import Money

from saas_platform.errors import Conflict, NotFound, ValidationFailed
from saas_platform.locking import lock_row
from saas_platform.money import money, round_money
from saas_platform.tenancy import business_today
from shared_apps.users.actors import person_or_none
from tenant_apps.catalog.models import Category, Product
from tenant_apps.customers.selectors import loyalty_points_earned
from tenant_apps.customers.services import credit_release, loyalty_reverse
from tenant_apps.inventory.models import (
    Location,
    LocationKind,
    MovementReason,
    Reservation,
    ReservationStatus,
)
from tenant_apps.inventory.services import reservation_release
from tenant_apps.inventory.stock import stock_receive
from tenant_apps.ledger.events import drawer_cash_posted
from tenant_apps.ledger.models import JournalEntry
from tenant_apps.ledger.posting import entry_reverse
from tenant_apps.sales.models import (
    CashMovement,
    CashMovementKind,
    Coupon,
    Register,
    Sale,
    SaleStatus,
    Shift,
    ShiftStatus,
    TenderMethod,
    TenderStatus,
)
from tenant_apps.sales.selectors import shift_summary

# Where cash put into or taken out of a drawer comes from or goes to.
DRAWER_ACCOUNTS = {
    "bank",
    "owner_equity",
    "expense_other",
    "expense_transport",
    "expense_utilities",
    "expense_wages",
    "expense_rent",
}


def register_create(
    *, code: str, name: str, location_id: int, receipt_prefix: str = ""
) -> Register:
    location = Location.objects.filter(pk=location_id, is_active=True).first()
    if location is None or location.kind != LocationKind.STOREFRONT:
        raise ValidationFailed.for_field(
            "location", "not_a_storefront", "A till stands in an active storefront."
        )
    try:
        with transaction.atomic():
            return Register.objects.create(
                code=code, name=name, location=location, receipt_prefix=receipt_prefix
            )
    except IntegrityError as error:
        raise Conflict.for_field("code", "taken", f"A till {code} exists already.") from error


def register_update(*, register_id: int, **changes: Any) -> Register:
    register = Register.objects.filter(pk=register_id).first()
    if register is None:
        raise NotFound("No such till.")
    for name in ("name", "receipt_prefix", "is_active"):
        if name in changes:
            setattr(register, name, changes[name])
    register.save()
    return register


# --- shifts ------------------------------------------------------------------------------------


def shift_open(*, register_id: int, opening_float: Money, actor: Any) -> Shift:
    register = Register.objects.filter(pk=register_id, is_active=True).first()
    if register is None:
        raise NotFound("No such active till.")
    if opening_float.amount < 0:
        raise ValidationFailed.for_field("opening_float", "negative", "A float cannot be negative.")
    try:
        with transaction.atomic():
            return Shift.objects.create(
                register=register,
                opened_by=person_or_none(actor),
                opening_float=round_money(opening_float),
            )
    except IntegrityError as error:
        # Says which shift, so a till that lost track of it can go on with it or close it.
        open_id = (
            Shift.objects.filter(register=register, status=ShiftStatus.OPEN)
            .values_list("pk", flat=True)
            .first()
        )
        raise Conflict(
            f"{register.name} already has an open shift ({open_id}); use it or close it first.",
            code="shift_open",
            fields={"shift": [{"code": "shift_open", "message": str(open_id)}]},
        ) from error


def _open_shift(shift_id: int) -> Shift:
    shift = lock_row(Shift, pk=shift_id)
    if shift is None:
        raise NotFound("No such shift.")
    if shift.status != ShiftStatus.OPEN:
        raise Conflict("This shift is closed.", code="shift_closed")
    return shift


def shift_cash_move(
    *, shift_id: int, kind: str, amount: Money, reason: str, account: str, actor: Any
) -> CashMovement:
    if amount.amount <= 0:
        raise ValidationFailed.for_field("amount", "not_positive", "Move more than zero.")
    if account not in DRAWER_ACCOUNTS:
        raise ValidationFailed.for_field(
            "account", "invalid", f"Use one of {', '.join(sorted(DRAWER_ACCOUNTS))}."
        )
    if not reason.strip():
        raise ValidationFailed.for_field("reason", "blank", "Say why the cash moved.")
    with transaction.atomic():
        shift = _open_shift(shift_id)
        movement = CashMovement.objects.create(
            shift=shift,
            kind=kind,
            amount=round_money(amount),
            account=account,
            reason=reason.strip(),
            created_by=person_or_none(actor),
        )
        drawer_cash_posted(
            reference=f"cash-{movement.pk}",
            amount=movement.amount.amount,
            into_drawer=kind == CashMovementKind.CASH_IN,
            account=account,
            memo=f"{movement.get_kind_display()} at {shift.register.name}: {movement.reason}",
            actor=actor,
        )
        return movement


def shift_close(*, shift_id: int, counted_cash: Money, note: str = "", actor: Any) -> Shift:
    """Closes a shift against the counted cash; a difference is booked as cash over/short."""
    if counted_cash.amount < 0:
        raise ValidationFailed.for_field("counted_cash", "negative", "Count zero or more.")
    with transaction.atomic():
        shift = _open_shift(shift_id)
        if Sale.objects.filter(shift=shift, status=SaleStatus.AWAITING_PAYMENT).exists():
            raise Conflict(
                "Sales on this shift are still waiting for payment; finish or void them.",
                code="sales_open",
            )
        summary = shift_summary(shift)
        expected = Money(Decimal(summary["expected_cash"]), shift.opening_float.currency)
        counted = round_money(counted_cash)
        variance = counted - expected
        shift.status = ShiftStatus.CLOSED
        shift.closed_by = person_or_none(actor)
        shift.closed_at = timezone.now()
        shift.expected_cash = expected
        shift.counted_cash = counted
        shift.variance = variance
        shift.note = note
        summary.update(
            counted_cash=str(counted.amount),
            variance=str(variance.amount),
            closed_at=shift.closed_at.isoformat(),
        )
        shift.z_report = summary
        shift.save()
        if variance.amount:
            drawer_cash_posted(
                reference=f"shift-{shift.pk}",
                amount=abs(variance.amount),
                into_drawer=variance.amount > 0,
                account="expense_other",
                memo=f"Cash {'over' if variance.amount > 0 else 'short'} at close of shift "
                f"{shift.pk} ({shift.register.name})",
                actor=actor,
            )
        return shift


# --- coupons -----------------------------------------------------------------------------------


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


# --- void --------------------------------------------------------------------------------------

# A finished sale can be voided only while its money is still in the drawer or on the account;
# gateway payments go back through a refund instead.
VOIDABLE_METHODS = {TenderMethod.CASH, TenderMethod.ACCOUNT, TenderMethod.LOYALTY}


def sale_void(*, sale_uuid: str, reason: str, actor: Any) -> Sale:
    if not reason.strip():
        raise ValidationFailed.for_field("reason", "blank", "Say why the sale is voided.")
    with transaction.atomic():
        sale = lock_row(Sale.objects.select_related("register__location", "shift"), uuid=sale_uuid)
        if sale is None:
            raise NotFound("No such sale.")
        if sale.status == SaleStatus.VOIDED:
            return sale  # voiding twice is a no-op, not an error
        tenders = list(sale.tenders.all())
        if sale.status == SaleStatus.AWAITING_PAYMENT:
            _void_open(sale, tenders)
        elif sale.status == SaleStatus.COMPLETED:
            _void_completed(sale, tenders, actor)
        sale.status = SaleStatus.VOIDED
        sale.voided_at = timezone.now()
        sale.voided_by = person_or_none(actor)
        sale.void_reason = reason.strip()
        sale.save()
        return sale


def _void_open(sale: Sale, tenders: list[Any]) -> None:
    if any(t.status == TenderStatus.PENDING for t in tenders):
        raise Conflict(
            "A payment for this sale is still pending; wait for its outcome before voiding.",
            code="payment_pending",
        )
    if any(t.status == TenderStatus.SETTLED and t.method not in VOIDABLE_METHODS for t in tenders):
        raise Conflict(
            "Part of this sale was paid through a gateway; refund that payment instead.",
            code="use_refund",
        )
    for reservation in Reservation.objects.filter(
        reference__startswith=f"sale:{sale.uuid}:", status=ReservationStatus.ACTIVE
    ):
        reservation_release(reservation_id=reservation.pk)
    _give_back_tenders(sale, tenders)


def _void_completed(sale: Sale, tenders: list[Any], actor: Any) -> None:
    if any(t.method not in VOIDABLE_METHODS for t in tenders):
        raise Conflict(
            "Part of this sale was paid through a gateway; take a return instead.",
            code="use_refund",
        )
    if sale.shift is None or sale.shift.status != ShiftStatus.OPEN:
        raise Conflict(
            "The shift of this sale is closed; take a return instead.", code="shift_closed"
        )
    if sale.returns.exists():
        raise Conflict("Goods of this sale were returned; return the rest.", code="has_returns")
    for line in sale.lines.select_related("product"):
        if not line.product.is_tracked:
            continue
        stock_receive(
            product=line.product,
            location=sale.register.location,
            quantity=line.quantity,
            unit_cost=line.cost / line.quantity,
            reason=MovementReason.RETURN,
            reference=str(sale.uuid),
            actor=person_or_none(actor),
            note="Sale voided",
        )
    entry = JournalEntry.objects.filter(source="sale", reference=str(sale.uuid)).first()
    if entry is not None:
        entry_reverse(
            entry_id=entry.pk,
            date=business_today(),
            memo=f"Void of sale {sale.receipt_label}",
            actor=actor,
        )
    _give_back_tenders(sale, tenders)
    if sale.customer_id is not None:
        earned = loyalty_points_earned(customer_id=sale.customer_id, reference=str(sale.uuid))
        if earned:
            loyalty_reverse(customer_id=sale.customer_id, points=earned, reference=str(sale.uuid))


def _give_back_tenders(sale: Sale, tenders: list[Any]) -> None:
    for index, tender in enumerate(tenders):
        if tender.status != TenderStatus.SETTLED or tender.amount.amount <= 0:
            continue
        if tender.method == TenderMethod.ACCOUNT and sale.customer_id is not None:
            credit_release(
                customer_id=sale.customer_id,
                amount=tender.amount,
                reference=str(sale.uuid),
                kind="return",
                key=f"void:{sale.uuid}:{index}",
            )
        elif tender.method == TenderMethod.LOYALTY and sale.customer_id and tender.points:
            loyalty_reverse(
                customer_id=sale.customer_id, points=-tender.points, reference=str(sale.uuid)
            )
