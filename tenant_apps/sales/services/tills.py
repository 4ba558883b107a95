"""Tills and shifts: making and changing tills, opening a shift, cash in and out, closing it
against the counted cash with the Z report. The X report is a read (``selectors.shift_summary``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from moneyed import Money

from billing.entitlements import require
from billing.models import Limit
from saas_platform.errors import Conflict, NotFound, ValidationFailed
from saas_platform.locking import lock_found
from saas_platform.money import round_money
from shared_apps.users.actors import person_or_none
from tenant_apps.inventory.models import Location, LocationKind
from tenant_apps.ledger.events import drawer_cash_posted
from tenant_apps.sales.models import (
    CashMovement,
    CashMovementKind,
    DrawerOpening,
    Register,
    Sale,
    SaleStatus,
    Shift,
    ShiftStatus,
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
            require(Limit.REGISTERS)
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
    shift = lock_found(Shift, pk=shift_id, missing="No such shift.")
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


def shift_drawer_open(*, shift_id: int, reason: str, actor: Any) -> DrawerOpening:
    """Records the drawer opened with no sale on an open shift (no money moves)."""
    if not reason.strip():
        raise ValidationFailed.for_field("reason", "blank", "Say why the drawer was opened.")
    with transaction.atomic():
        shift = _open_shift(shift_id)
        return DrawerOpening.objects.create(
            shift=shift, reason=reason.strip(), opened_by=person_or_none(actor)
        )


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
