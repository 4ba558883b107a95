"""Returns against the lines of a finished sale: never more than was sold, booked in reverse.

A part-return is worth its share of the line as it was charged (after discounts, with its tax),
rounded to the minor unit; the return that brings the last units back gets what is left, so the
returns of a line always add up to exactly what the line cost the customer.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import F, Sum
from moneyed import Money

from saas_platform.errors import Conflict, ValidationFailed
from saas_platform.locking import lock_found
from saas_platform.money import minor_unit_exponent
from saas_platform.tenancy import business_today
from shared_apps.users.actors import person_or_none
from tenant_apps.customers.selectors import loyalty_points_earned
from tenant_apps.customers.services import credit_release, loyalty_reverse
from tenant_apps.inventory.models import MovementReason
from tenant_apps.inventory.stock import stock_receive
from tenant_apps.ledger.events import TENDER_ACCOUNTS, sale_return_posted
from tenant_apps.payments.services.refunds import payment_refund
from tenant_apps.sales.models import (
    RefundMethod,
    ReturnLine,
    Sale,
    SaleLine,
    SaleReturn,
    SaleStatus,
    Shift,
    ShiftStatus,
    Tender,
    TenderMethod,
)
from tenant_apps.sales.requests import ReturnLineRequest
from tenant_apps.sales.services.tenders import GATEWAY_METHODS

ZERO = Decimal(0)


def _part(whole: Decimal, quantity: Decimal, of: Decimal, places: int) -> Decimal:
    unit = Decimal(1).scaleb(-places)
    return (whole * quantity / of).quantize(unit, rounding=ROUND_HALF_UP)


def sale_return_create(
    *,
    sale_uuid: str,
    return_uuid: UUID,
    lines: Sequence[ReturnLineRequest],
    refund_method: str,
    reason: str,
    actor: Any,
) -> tuple[SaleReturn, bool]:
    """Returns the return and whether this call made it (a resent UUID gets the first one)."""
    existing = SaleReturn.objects.filter(uuid=return_uuid).first()
    if existing is not None:
        return existing, False
    if not lines:
        raise ValidationFailed.for_field("lines", "empty", "Return at least one line.")
    if not reason.strip():
        raise ValidationFailed.for_field("reason", "blank", "Say why the goods came back.")
    with transaction.atomic():
        sale = lock_found(
            Sale.objects.select_related("register__location", "customer"),
            uuid=sale_uuid,
            missing="No such sale.",
        )
        existing = SaleReturn.objects.filter(uuid=return_uuid).first()
        if existing is not None:  # the same return, sent twice at once, waited on the lock
            return existing, False
        if sale.status != SaleStatus.COMPLETED:
            raise Conflict(f"This sale is {sale.status}; nothing to return.", code="not_returnable")
        currency = str(sale.total.currency)
        places = minor_unit_exponent(currency)
        shift = Shift.objects.filter(register=sale.register, status=ShiftStatus.OPEN).first()
        sale_return = SaleReturn.objects.create(
            uuid=return_uuid,
            sale=sale,
            shift=shift,
            refund_method=refund_method,
            reason=reason.strip(),
            net=Money(0, currency),
            tax=Money(0, currency),
            total=Money(0, currency),
            cost_restocked=Money(0, currency),
            created_by=person_or_none(actor),
        )
        made = [
            _return_line(
                sale_return=sale_return, index=index, request=request, places=places, actor=actor
            )
            for index, request in enumerate(lines)
        ]
        net = sum((line.net.amount for line in made), ZERO)
        tax = sum((line.tax.amount for line in made), ZERO)
        total = net + tax
        restocked = sum((line.cost.amount for line in made if line.restock), ZERO)
        account = _refund(sale_return=sale_return, amount=Money(total, currency), actor=actor)
        sale_return.net = Money(net, currency)
        sale_return.tax = Money(tax, currency)
        sale_return.total = Money(total, currency)
        sale_return.cost_restocked = Money(restocked, currency)
        sale_return.save()
        sale_return_posted(
            reference=str(sale_return.uuid),
            day=business_today(),
            memo=f"Return on sale {sale.receipt_label}: {sale_return.reason}",
            net=net,
            tax=tax,
            refund_account=account,
            cost_restocked=restocked,
            actor=actor,
        )
        _take_back_points(sale, total)
        return sale_return, True


def _return_line(
    *, sale_return: SaleReturn, index: int, request: ReturnLineRequest, places: int, actor: Any
) -> ReturnLine:
    sale = sale_return.sale
    at = f"lines[{index}]"
    line = SaleLine.objects.select_related("product").filter(pk=request.line_id, sale=sale).first()
    if line is None:
        raise ValidationFailed.for_field(f"{at}.line", "unknown_line", "Not a line of this sale.")
    if request.quantity <= 0:
        raise ValidationFailed.for_field(f"{at}.quantity", "not_positive", "Return more than 0.")
    taken = SaleLine.objects.filter(
        pk=line.pk, returned_quantity__lte=F("quantity") - request.quantity
    ).update(returned_quantity=F("returned_quantity") + request.quantity)
    if not taken:
        left = line.quantity - line.returned_quantity
        raise Conflict.for_field(
            f"{at}.quantity",
            "more_than_sold",
            f"Only {left.normalize():f} of {line.description} can still come back.",
        )
    before = ReturnLine.objects.filter(sale_line=line).exclude(sale_return=sale_return)
    sums = before.aggregate(q=Sum("quantity"), g=Sum("gross"), t=Sum("tax"), c=Sum("cost"))
    returned_before = sums["q"] or ZERO
    currency = str(line.gross.currency)
    if returned_before + request.quantity == line.quantity:
        gross = line.gross.amount - (sums["g"] or ZERO)
        tax = line.tax.amount - (sums["t"] or ZERO)
        cost = line.cost.amount - (sums["c"] or ZERO)
    else:
        gross = _part(line.gross.amount, request.quantity, line.quantity, places)
        tax = _part(line.tax.amount, request.quantity, line.quantity, places)
        cost = _part(line.cost.amount, request.quantity, line.quantity, places)
    restock = request.restock and line.product.is_tracked
    if restock:
        stock_receive(
            product=line.product,
            location=sale.register.location,
            quantity=request.quantity,
            unit_cost=Money(line.cost.amount / line.quantity, currency),
            reason=MovementReason.RETURN,
            reference=str(sale_return.uuid),
            actor=person_or_none(actor),
            note=f"Return on sale {sale.receipt_label}",
        )
    return ReturnLine.objects.create(
        sale_return=sale_return,
        sale_line=line,
        quantity=request.quantity,
        restock=restock,
        net=Money(gross - tax, currency),
        tax=Money(tax, currency),
        gross=Money(gross, currency),
        cost=Money(cost, currency),
    )


def _refund(*, sale_return: SaleReturn, amount: Money, actor: Any) -> str:
    """Gives the money back as the return says; returns the account it leaves from."""
    sale = sale_return.sale
    method = sale_return.refund_method
    reference = str(sale_return.uuid)

    def credit_back(*, kind: str, customer_id: int) -> None:
        credit_release(
            customer_id=customer_id,
            amount=amount,
            reference=reference,
            kind=kind,
            key=f"return:{reference}",
            actor=actor,
        )

    if method == RefundMethod.CASH:
        return TENDER_ACCOUNTS["cash"]
    if method == RefundMethod.STORE_CREDIT:
        if sale.customer_id is None:
            raise ValidationFailed.for_field(
                "refund_method", "customer_required", "Store credit needs a customer on the sale."
            )
        credit_back(kind="store_credit", customer_id=sale.customer_id)
        return TENDER_ACCOUNTS["account"]
    if method != RefundMethod.ORIGINAL:
        raise ValidationFailed.for_field(
            "refund_method", "invalid", "Use cash, original or store_credit."
        )
    tender = _refundable_tender(sale, amount)
    if tender.method == TenderMethod.ACCOUNT and sale.customer_id is not None:
        credit_back(kind="return", customer_id=sale.customer_id)
    elif tender.method in GATEWAY_METHODS and tender.payment_id is not None:
        payment_refund(
            payment_id=tender.payment_id, amount=amount, reference=reference, actor=actor
        )
    return TENDER_ACCOUNTS[tender.method]


def _refundable_tender(sale: Sale, amount: Money) -> Tender:
    """The sale's payment that can take the whole refund: gateways first, then the account."""
    refunded = SaleReturn.objects.filter(sale=sale, refund_method=RefundMethod.ORIGINAL)
    for tender in sale.tenders.select_related("payment").order_by("pk"):
        if tender.method in GATEWAY_METHODS and tender.payment is not None:
            left = tender.payment.amount - tender.payment.refunded_amount
            if left.amount >= amount.amount:
                return tender
    for tender in sale.tenders.filter(method=TenderMethod.ACCOUNT):
        back = refunded.aggregate(total=Sum("total"))["total"] or ZERO
        if tender.amount.amount - back >= amount.amount:
            return tender
    raise Conflict.for_field(
        "refund_method",
        "no_original_payment",
        "No single original payment can take this refund; refund in cash or store credit.",
    )


def _take_back_points(sale: Sale, refunded: Decimal) -> None:
    if sale.customer_id is None or sale.total.amount <= 0:
        return
    earned = loyalty_points_earned(customer_id=sale.customer_id, reference=str(sale.uuid))
    points = int(earned * refunded / sale.total.amount)
    if points > 0:
        loyalty_reverse(customer_id=sale.customer_id, points=points, reference=str(sale.uuid))
