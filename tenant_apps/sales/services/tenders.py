"""A sale's payments: taken at checkout, waited for, answered, tried again.

- At checkout (``sale_tenders_take``): cash may exceed what is due (change), nothing else may;
  account and points are charged at once; a gateway tender (mobile money, card, UPI) starts a
  payment with its provider and leaves the sale waiting.
- The payments app calls ``SalePayments`` inside the transaction that settles the payment, with
  the payment row locked; the sale row is locked here too, so a callback and a status query
  arriving together complete the sale once.
- A failed payment of a waiting sale is replaced by another (``sale_tender_retry``), or paid by
  the customer on the paybill with the sale's reference (``match_open_sale_payment``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from moneyed import Money

from saas_platform.errors import Conflict, FieldErrorCollector, NotFound, ValidationFailed
from saas_platform.locking import lock_found, lock_row
from saas_platform.money import round_money
from tenant_apps.customers.models import Customer
from tenant_apps.customers.services import credit_charge, loyalty_redeem, loyalty_value
from tenant_apps.payments.models import C2BPayment, Payment
from tenant_apps.payments.services.lifecycle import payment_create
from tenant_apps.sales.models import Sale, SaleStatus, Tender, TenderMethod, TenderStatus
from tenant_apps.sales.requests import TenderRequest
from tenant_apps.sales.services.completion import sale_complete

PAYMENT_PURPOSE = "sale"
# Gateways that answer later: a sale paid through one waits for it with its stock held, and
# its refunds go back through the gateway.
GATEWAY_METHODS = {TenderMethod.MPESA, TenderMethod.AIRTEL, TenderMethod.CARD, TenderMethod.UPI}
ZERO = Decimal(0)


# --- at checkout -------------------------------------------------------------------------------


def sale_tenders_take(*, sale: Sale, requested: list[TenderRequest]) -> list[Tender]:
    """Checks the tenders against the sale's total and takes them, in the checkout's transaction
    (the sale's customer and total are set). Sets the sale's paid total and change."""
    customer = sale.customer
    total = sale.total.amount
    currency = str(sale.total.currency)
    errors = FieldErrorCollector()
    non_cash = ZERO
    cash_given = ZERO
    points_value: dict[int, Decimal] = {}
    for index, tender in enumerate(requested):
        at = f"tenders[{index}]"
        if tender.currency and tender.currency.upper() != currency:
            errors.add(
                f"{at}.currency",
                "currency_mismatch",
                f"This business takes {currency} only; a payment in {tender.currency} cannot "
                "be booked (there is no currency conversion).",
            )
            continue
        if tender.method == TenderMethod.LOYALTY:
            if customer is None:
                errors.add(at, "customer_required", "Points belong to a customer.")
                continue
            if not tender.points or tender.points <= 0:
                errors.add(f"{at}.points", "required", "Say how many points to use.")
                continue
            value = loyalty_value(tender.points).amount
            points_value[index] = value
            non_cash += value
            continue
        if tender.amount <= 0:
            errors.add(f"{at}.amount", "not_positive", "A payment must be above zero.")
            continue
        if tender.method == TenderMethod.CASH:
            cash_given += tender.amount
        else:
            non_cash += tender.amount
        if tender.method == TenderMethod.ACCOUNT and customer is None:
            errors.add(at, "customer_required", "Choose the customer whose account to use.")
        if tender.method in GATEWAY_METHODS and not tender.payer and tender.method != "card":
            errors.add(f"{at}.payer", "required", "Give the payer's phone number or VPA.")
    errors.raise_if_any()
    if non_cash > total:
        raise ValidationFailed.for_field(
            "tenders", "overpaid", "Only cash can be more than the amount due (it gets change)."
        )
    cash_due = total - non_cash
    if cash_given < cash_due:
        short = round_money(Money(cash_due - cash_given, currency)).amount
        raise ValidationFailed.for_field(
            "tenders", "underpaid", f"{short} {currency} is still to be paid."
        )
    change = cash_given - cash_due
    made: list[Tender] = []
    for index, tender in enumerate(requested):
        amount = points_value.get(index, tender.amount)
        made.append(_tender(sale=sale, index=index, request=tender, amount=amount, change=change))
        if tender.method == TenderMethod.CASH:
            change = ZERO  # all the change goes on the first cash tender
    sale.paid_total = Money(
        sum((t.amount.amount for t in made if t.status == TenderStatus.SETTLED), ZERO), currency
    )
    sale.change_due = Money(cash_given - cash_due, currency)
    return made


def _tender(
    *, sale: Sale, index: int, request: TenderRequest, amount: Decimal, change: Decimal
) -> Tender:
    """One tender of ``amount`` (what points are worth, for points); ``change`` goes on cash."""
    method = request.method
    currency = str(sale.total.currency)
    tender = Tender(
        sale=sale,
        method=method,
        amount=Money(amount - (change if method == TenderMethod.CASH else 0), currency),
        tendered=Money(amount, currency),
        change=Money(change if method == TenderMethod.CASH else 0, currency),
        status=TenderStatus.SETTLED,
        payer=request.payer,
        points=request.points if method == TenderMethod.LOYALTY else None,
    )
    if tender.amount.amount <= 0:
        # Cash that only covered change (the rest was paid otherwise) is not a tender.
        tender.amount = Money(0, currency)
        return tender
    reference = str(sale.uuid)
    if method == TenderMethod.ACCOUNT:
        credit_charge(
            customer_id=_required(sale.customer).pk,
            amount=tender.amount,
            reference=reference,
            key=f"sale:{sale.uuid}:{index}",
            actor=sale.cashier,
        )
    elif method == TenderMethod.LOYALTY:
        loyalty_redeem(
            customer_id=_required(sale.customer).pk,
            points=request.points or 0,
            reference=reference,
        )
    elif method in GATEWAY_METHODS:
        tender.status = TenderStatus.PENDING
        tender.payment = sale_payment_start(
            sale=sale, method=method, amount=tender.amount, payer=request.payer, actor=sale.cashier
        )
    tender.save()
    return tender


def _required(customer: Customer | None) -> Customer:
    if customer is None:  # sale_tenders_take refused this already; here for the type checker
        raise ValidationFailed.for_field("customer", "required", "Choose a customer.")
    return customer


def sale_payment_start(
    *, sale: Sale, method: str, amount: Money, payer: str, actor: Any
) -> Payment:
    """Asks the payer's provider for ``amount`` towards ``sale`` (sent once the caller commits)."""
    return payment_create(
        provider=method,
        amount=amount,
        payer=payer,
        purpose=PAYMENT_PURPOSE,
        purpose_ref=str(sale.uuid),
        account_reference=sale.payment_reference[:12],
        description="Duka sale",
        actor=actor,
    )


# --- answers from the gateways, retries, paybill -----------------------------------------------


def _locked_sale(uuid: str) -> Sale | None:
    return lock_row(Sale.objects.select_related("register__location"), uuid=uuid)


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
        tender = lock_found(
            Tender, pk=tender_id, sale=sale, missing="No such payment on this sale."
        )
        if tender.status != TenderStatus.FAILED:
            raise Conflict("Only a failed payment can be replaced.", code="tender_not_failed")
        if method not in (TenderMethod.CASH, *GATEWAY_METHODS):
            raise ValidationFailed.for_field(
                "method", "invalid", "Pay the rest in cash, card, M-Pesa, Airtel or UPI."
            )
        if method in GATEWAY_METHODS and method != TenderMethod.CARD and not payer:
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
        if method in GATEWAY_METHODS:
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
    sale = lock_row(
        Sale.objects.select_related("register__location"),
        pk=int(reference[4:]),
        status=SaleStatus.AWAITING_PAYMENT,
    )
    if sale is None:
        return False
    tender = lock_row(Tender, sale=sale, status=TenderStatus.FAILED, amount=c2b.amount)
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
