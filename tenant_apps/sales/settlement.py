"""What a sale does when one of its gateway payments is answered, or the cashier tries again.

The payments app calls ``SalePayments`` inside the transaction that settles the payment, with
the payment row locked; the sale row is locked here too, so a callback and a status query
arriving together complete the sale once.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from moneyed import Money

from saas_platform.errors import Conflict, NotFound, ValidationFailed
from saas_platform.money import round_money
from tenant_apps.payments.models import C2BPayment, Payment
from tenant_apps.sales.checkout import DEFERRED_METHODS, sale_complete, sale_payment_start
from tenant_apps.sales.models import Sale, SaleStatus, Tender, TenderMethod, TenderStatus


def _locked_sale(uuid: str) -> Sale | None:
    return (
        Sale.objects.select_for_update(of=("self",))
        .select_related("register__location")
        .filter(uuid=uuid)
        .first()
    )


class SalePayments:
    def succeeded(self, payment: Payment) -> None:
        sale = _locked_sale(payment.purpose_ref)
        tender = Tender.objects.filter(payment=payment).first()
        if sale is None or tender is None:
            return
        tender.status = TenderStatus.SETTLED
        # The provider's receipt (the M-Pesa code the customer got by SMS) is the tender's
        # reference from now on, as the printed receipt shows it.
        tender.reference = (payment.receipt or tender.reference)[:40]
        tender.save(update_fields=["status", "reference"])
        if sale.status == SaleStatus.AWAITING_PAYMENT:
            sale_complete(sale=sale)

    def failed(self, payment: Payment) -> None:
        # The sale stays open with its stock held: the cashier asks for another payment.
        Tender.objects.filter(payment=payment, status=TenderStatus.PENDING).update(
            status=TenderStatus.FAILED
        )


def sale_tender_retry(
    *,
    sale_uuid: str,
    tender_id: int,
    method: str,
    payer: str = "",
    amount: Decimal | None = None,
    currency: str = "",
    actor: Any,
) -> Sale:
    """Replaces a failed payment of an open sale by another (cash, or a new push).

    Cash is taken as at checkout: ``amount`` is what was handed over (the amount due when not
    given), it must cover what the failed payment was for, and the rest is change. Another
    method asks for exactly what is due.
    """
    with transaction.atomic():
        sale = _locked_sale(sale_uuid)
        if sale is None:
            raise NotFound("No such sale.")
        if sale.status != SaleStatus.AWAITING_PAYMENT:
            raise Conflict(f"This sale is {sale.status}.", code="sale_not_open")
        tender = Tender.objects.select_for_update().filter(pk=tender_id, sale=sale).first()
        if tender is None:
            raise NotFound("No such payment on this sale.")
        if tender.status != TenderStatus.FAILED:
            raise Conflict("Only a failed payment can be replaced.", code="tender_not_failed")
        if method not in (TenderMethod.CASH, *DEFERRED_METHODS):
            raise ValidationFailed.for_field(
                "method", "invalid", "Pay the rest in cash, card, M-Pesa, Airtel or UPI."
            )
        if method in DEFERRED_METHODS and method != TenderMethod.CARD and not payer:
            raise ValidationFailed.for_field("payer", "required", "Give the payer's number.")
        due: Money = tender.amount
        if currency and currency.upper() != str(due.currency):
            raise ValidationFailed.for_field(
                "currency",
                "currency_mismatch",
                f"This business takes {due.currency} only; a payment in {currency} cannot be "
                "booked (there is no currency conversion).",
            )
        given = due.amount if amount is None else amount
        if method == TenderMethod.CASH and given < due.amount:
            raise ValidationFailed.for_field(
                "amount",
                "underpaid",
                f"{round_money(due - Money(given, due.currency)).amount} {due.currency} "
                "is still to be paid.",
            )
        if method != TenderMethod.CASH and given != due.amount:
            raise ValidationFailed.for_field(
                "amount",
                "not_amount_due",
                f"Only cash can be more than the amount due (it gets change); ask for {due}.",
            )
        change = Money(given - due.amount, due.currency)
        replacement = Tender(
            sale=sale,
            method=method,
            amount=due,
            tendered=Money(given, due.currency),
            change=change,
            status=TenderStatus.SETTLED,
            payer=payer,
        )
        if method in DEFERRED_METHODS:
            replacement.status = TenderStatus.PENDING
            replacement.payment = sale_payment_start(
                sale=sale, method=method, amount=due, payer=payer, actor=actor
            )
        # The failed payment stays on record in the payments app; its tender gives way.
        Tender.objects.filter(pk=tender.pk).delete()
        replacement.save()
        if change.amount:
            sale.change_due = sale.change_due + change
            sale.save(update_fields=["change_due", "updated_at"])
        if replacement.status == TenderStatus.SETTLED:
            sale_complete(sale=sale, actor=actor)
        return sale


def match_open_sale_payment(c2b: C2BPayment) -> bool:
    """A paybill payment whose account is an open sale's reference (``SALE<id>``) pays the
    sale's failed mobile-money tender of exactly that amount, and completes the sale."""
    reference = (c2b.bill_ref or "").strip().upper()
    # isdecimal, not isdigit: a payer may type "SALE²", a digit that int() refuses.
    if not reference.startswith("SALE") or not reference[4:].isdecimal():
        return False
    sale = (
        Sale.objects.select_for_update(of=("self",))
        .select_related("register__location")
        .filter(pk=int(reference[4:]), status=SaleStatus.AWAITING_PAYMENT)
        .first()
    )
    if sale is None:
        return False
    tender = (
        Tender.objects.select_for_update()
        .filter(sale=sale, status=TenderStatus.FAILED, amount=c2b.amount)
        .order_by("pk")
        .first()
    )
    if tender is None:
        # A push is still pending (it may yet succeed) or the amount differs: a person decides.
        return False
    Tender.objects.filter(pk=tender.pk).delete()
    Tender.objects.create(
        sale=sale,
        method=TenderMethod.MPESA,
        amount=c2b.amount,
        tendered=c2b.amount,
        change=Money(0, c2b.amount.currency),
        status=TenderStatus.SETTLED,
        payer=c2b.msisdn[:40],
        reference=c2b.trans_id,
    )
    sale_complete(sale=sale)
    return True
