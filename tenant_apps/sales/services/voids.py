"""Voiding a sale: a parked or waiting one outright, a completed one while its shift is open and
its money is still in the drawer or on the account (anything else is a return)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from saas_platform.errors import Conflict, ValidationFailed
from saas_platform.locking import lock_found
from saas_platform.tenancy import business_today
from shared_apps.users.actors import person_or_none
from tenant_apps.customers.selectors import loyalty_points_earned
from tenant_apps.customers.services import credit_release, loyalty_reverse
from tenant_apps.inventory.models import MovementReason
from tenant_apps.inventory.stock import stock_receive
from tenant_apps.ledger.models import JournalEntry
from tenant_apps.ledger.posting import entry_reverse
from tenant_apps.sales.models import Sale, SaleStatus, ShiftStatus, TenderMethod, TenderStatus
from tenant_apps.sales.services.stock_holds import sale_stock_release

# A finished sale can be voided only while its money is still in the drawer or on the account;
# gateway payments go back through a refund instead.
VOIDABLE_METHODS = {TenderMethod.CASH, TenderMethod.ACCOUNT, TenderMethod.LOYALTY}


def sale_void(*, sale_uuid: str, reason: str, actor: Any) -> Sale:
    if not reason.strip():
        raise ValidationFailed.for_field("reason", "blank", "Say why the sale is voided.")
    with transaction.atomic():
        sale = lock_found(
            Sale.objects.select_related("register__location", "shift"),
            uuid=sale_uuid,
            missing="No such sale.",
        )
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
    sale_stock_release(sale=sale)
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
