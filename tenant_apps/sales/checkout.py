"""Checkout: one call turns a cart into a sale — priced, paid, stock taken, booked, numbered.

Order inside the transaction, chosen for correctness first and short lock holds second:

0. The cart is priced by ``cart.cart_price``, which only reads and refuses (permissions,
   unknown products, amounts too large): a refusal has written nothing, and a quote runs the
   same function.
1. The sale row is the first write. Its UUID is unique, so a second request with the same UUID
   waits on the first one's index entry and then fails, before it has touched any stock; the
   caller then answers with the sale the first request made.
2. Stock is taken line by line in product order (a stable order, so two checkouts never
   deadlock), each by a conditional UPDATE that refuses rather than oversells.
3. The journal entry is posted, then the receipt number is taken from the register row last:
   that row lock serialises the till's sales, so it is held for as little as possible, and a
   sale that rolls back hands its number back — receipt numbers have no gaps.

A sale paid (partly) by mobile money, card or UPI waits for the payment: its stock is reserved,
not taken, and nothing is booked or numbered until the payment succeeds (``sale_complete``).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from decimal import Decimal
from functools import partial
from typing import Any
from uuid import UUID

from auditlog.context import disable_auditlog
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.dispatch import Signal
from django.utils import timezone
from moneyed import Money

from saas_platform.errors import Conflict, FieldErrorCollector, NotFound, ValidationFailed
from saas_platform.money import round_money
from saas_platform.tenancy import business_today, current_schema
from shared_apps.users.actors import person_or_none
from tenant_apps.customers.models import Customer
from tenant_apps.customers.services import (
    credit_charge,
    loyalty_earn,
    loyalty_redeem,
    loyalty_value,
)
from tenant_apps.inventory.errors import InsufficientStock, StockDrift
from tenant_apps.inventory.models import MovementReason, Reservation, ReservationStatus, StockLevel
from tenant_apps.inventory.services import reservation_create, reservation_fulfil
from tenant_apps.inventory.stock import stock_remove, stock_take
from tenant_apps.ledger.events import sale_posted
from tenant_apps.payments.models import Payment
from tenant_apps.payments.services import payment_create
from tenant_apps.sales.cart import CartRequest, LineRequest, cart_price
from tenant_apps.sales.models import (
    Coupon,
    Register,
    Sale,
    SaleLine,
    SaleStatus,
    Shift,
    ShiftStatus,
    Tender,
    TenderMethod,
    TenderStatus,
    sales_settings,
)

# Sent once per completed sale, after commit: the billing issue meters sales from it.
sale_completed = Signal()

PAYMENT_PURPOSE = "sale"
# Gateways that answer later; the sale waits for them with its stock reserved.
DEFERRED_METHODS = {TenderMethod.MPESA, TenderMethod.AIRTEL, TenderMethod.CARD, TenderMethod.UPI}
# How long stock stays held for a sale waiting on a payment before the reservation lapses.
PAYMENT_HOLD = timedelta(minutes=30)
ZERO = Decimal(0)


@dataclass(frozen=True)
class TenderRequest:
    method: str
    amount: Decimal = ZERO
    payer: str = ""
    points: int | None = None
    # The currency the client says ``amount`` is in ("" = the business's). A business has one
    # currency and there is no conversion, so any other is refused rather than booked as ours.
    currency: str = ""


@dataclass(frozen=True)
class CheckoutRequest:
    uuid: UUID
    register_id: int
    lines: list[LineRequest]
    tenders: list[TenderRequest] = field(default_factory=list)
    customer_id: int | None = None
    price_list: str = ""
    cart_discount: Decimal = ZERO
    cart_discount_percent: Decimal = ZERO
    coupon: str = ""
    note: str = ""
    park: bool = False
    # Made by the terminal while offline and sent when the connection came back: the goods
    # have left, so a line short of stock is sold below zero and flagged, never refused.
    offline: bool = False
    device_number: str = ""

    def digest(self) -> str:
        data = asdict(self)
        # Left out while unset, so a sale sent before these fields existed replays alike.
        for name in ("offline", "device_number"):
            if not data[name]:
                data.pop(name)
        # A tender's currency can only repeat the business's (any other is refused), so it does
        # not tell two sales apart; left out, a sale sent before clients sent it replays alike.
        for tender in data["tenders"]:
            tender.pop("currency", None)
        payload = json.dumps(data, sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()

    @property
    def cart(self) -> CartRequest:
        return CartRequest(
            lines=self.lines,
            customer_id=self.customer_id,
            price_list=self.price_list,
            cart_discount=self.cart_discount,
            cart_discount_percent=self.cart_discount_percent,
            coupon=self.coupon,
        )


class ShortStock(InsufficientStock):
    default_message = "Some lines are short of stock."


# --- entry point -------------------------------------------------------------------------------


def sale_checkout(
    *, request: CheckoutRequest, actor: Any, may_override_price: bool = False
) -> tuple[Sale, bool]:
    """Returns the sale and whether this call made it (False: the UUID was seen before)."""
    digest = request.digest()
    seen = Sale.objects.filter(uuid=request.uuid).values_list("status", flat=True).first()
    if seen is not None and seen != SaleStatus.PARKED:
        return _replayed(request.uuid, digest), False
    try:
        with transaction.atomic():
            sale = _checkout(request, digest, actor, may_override_price, resume=seen is not None)
    except IntegrityError:
        # Another request with this UUID committed while this one was in flight.
        if not Sale.objects.filter(uuid=request.uuid).exclude(status=SaleStatus.PARKED).exists():
            raise
        return _replayed(request.uuid, digest), False
    if sale.status == SaleStatus.COMPLETED:
        _announce(sale)
    return sale, True


def _replayed(uuid: UUID, digest: str) -> Sale:
    sale = Sale.objects.get(uuid=uuid)
    if sale.request_digest != digest:
        raise Conflict(
            "A different sale was already made with this UUID; make a new UUID for a new sale.",
            code="idempotency_mismatch",
        )
    return sale


def _announce(sale: Sale) -> None:
    schema = current_schema()
    transaction.on_commit(lambda: sale_completed.send(sender=Sale, sale_id=sale.pk, schema=schema))


# --- the transaction ---------------------------------------------------------------------------


def _checkout(
    request: CheckoutRequest, digest: str, actor: Any, may_override: bool, *, resume: bool
) -> Sale:
    register, shift = _till(request.register_id, needs_shift=not request.park)
    if request.offline and (request.park or _deferred(request.tenders)):
        raise ValidationFailed.for_field(
            "offline",
            "not_offline",
            "A sale made offline is paid in cash, on account or by points, and is not parked.",
        )
    # Priced (and refused) before anything is written; the quote runs the same code.
    priced = cart_price(cart=request.cart, may_override_price=may_override)
    currency = priced.currency
    zero = Money(0, currency)
    sale = _claim_sale_row(
        request, register, shift, digest, actor, priced.prices_include_tax, zero, resume
    )
    lines = [
        SaleLine(
            sale=sale,
            line_no=i + 1,
            product=line.product,
            description=line.product.name,
            quantity=line.quantity,
            unit_price=line.unit_price,
            price_overridden=line.price_overridden,
            discount=line.discount,
            tax_rate=line.tax_rate,
            list_net=line.list_net,
            discount_net=line.discount_net,
            net=line.net,
            tax=line.tax,
            gross=line.gross,
            cost=zero,
        )
        for i, line in enumerate(priced.lines)
    ]
    SaleLine.objects.bulk_create(lines)
    customer = priced.customer
    coupon = priced.coupon
    total = priced.total.amount
    sale.customer = customer
    sale.price_list = priced.price_list
    sale.coupon = coupon
    sale.subtotal = priced.subtotal
    sale.discount_total = priced.discount_total
    sale.tax_total = priced.tax_total
    sale.total = priced.total
    sale.note = request.note
    sale.device_number = request.device_number

    if request.park:
        sale.status = SaleStatus.PARKED
        sale.save()
        return sale

    if coupon is not None:
        _use_coupon(coupon)
    tenders = _tenders(sale, request.tenders, customer, total, currency)
    deferred = any(t.status == TenderStatus.PENDING for t in tenders)
    if deferred:
        _reserve(sale, lines, register, actor)
        sale.status = SaleStatus.AWAITING_PAYMENT
        sale.save()
        return sale
    _take_stock(sale, lines, register, actor, offline=request.offline)
    _finish(sale, lines, tenders, actor)
    _remember(sale, lines, tenders)
    return sale


def _remember(sale: Sale, lines: list[SaleLine], tenders: list[Tender]) -> None:
    """Keeps what the checkout made on the sale, as a prefetch would, so that answering the
    request needs no second reading of rows this transaction has just written."""
    sale._prefetched_objects_cache = {  # type: ignore[attr-defined]
        "lines": lines,
        "tenders": [t for t in tenders if t.pk is not None],
    }


def _claim_sale_row(
    request: CheckoutRequest,
    register: Register,
    shift: Shift | None,
    digest: str,
    actor: Any,
    include_tax: bool,
    zero: Money,
    resume: bool,
) -> Sale:
    parked = (
        Sale.objects.select_for_update(of=("self",))
        .filter(uuid=request.uuid, status=SaleStatus.PARKED)
        .first()
        if resume
        else None
    )
    if parked is not None:
        # Resuming a parked cart: the new request replaces what was parked.
        parked.lines.all().delete()
        parked.register = register
        parked.shift = shift
        parked.request_digest = digest
        parked.cashier = person_or_none(actor) or parked.cashier
        parked.prices_include_tax = include_tax
        return parked
    person = person_or_none(actor)
    return Sale.objects.create(
        uuid=request.uuid,
        register=register,
        shift=shift,
        status=SaleStatus.AWAITING_PAYMENT,
        cashier=person,
        sold_via="" if person is not None else str(actor)[:60],
        prices_include_tax=include_tax,
        subtotal=zero,
        discount_total=zero,
        tax_total=zero,
        total=zero,
        paid_total=zero,
        change_due=zero,
        cost_total=zero,
        request_digest=digest,
    )


def _till(register_id: int, *, needs_shift: bool) -> tuple[Register, Shift | None]:
    """The till and its open shift, in one query when there is one (the usual case)."""
    shift = (
        Shift.objects.select_related("register__location")
        .filter(register_id=register_id, register__is_active=True, status=ShiftStatus.OPEN)
        .first()
    )
    if shift is not None:
        return shift.register, shift
    register = Register.objects.select_related("location").filter(pk=register_id).first()
    if register is None or not register.is_active:
        raise ValidationFailed.for_field("register", "unknown_register", "No such active till.")
    if needs_shift:
        raise Conflict(f"Open a shift on {register.name} before selling.", code="no_open_shift")
    return register, None


# --- coupons -----------------------------------------------------------------------------------


def _use_coupon(coupon: Coupon) -> None:
    used = Coupon.objects.filter(
        Q(max_uses__isnull=True) | Q(uses__lt=F("max_uses")), pk=coupon.pk
    ).update(uses=F("uses") + 1)
    if not used:
        raise Conflict.for_field("coupon", "used_up", "This coupon has been used up.")


# --- tenders -----------------------------------------------------------------------------------


def _tenders(
    sale: Sale,
    requested: list[TenderRequest],
    customer: Customer | None,
    total: Decimal,
    currency: str,
) -> list[Tender]:
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
        if tender.method in DEFERRED_METHODS and not tender.payer and tender.method != "card":
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
        made.append(_tender(sale, index, tender, customer, currency, points_value, change))
        if tender.method == TenderMethod.CASH:
            change = ZERO  # all the change goes on the first cash tender
    sale.paid_total = Money(
        sum((t.amount.amount for t in made if t.status == TenderStatus.SETTLED), ZERO), currency
    )
    sale.change_due = Money(cash_given - cash_due, currency)
    return made


def _tender(
    sale: Sale,
    index: int,
    request: TenderRequest,
    customer: Customer | None,
    currency: str,
    points_value: dict[int, Decimal],
    change: Decimal,
) -> Tender:
    method = request.method
    amount = points_value.get(index, request.amount)
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
            customer_id=_required(customer).pk,
            amount=tender.amount,
            reference=reference,
            key=f"sale:{sale.uuid}:{index}",
            actor=sale.cashier,
        )
    elif method == TenderMethod.LOYALTY:
        loyalty_redeem(
            customer_id=_required(customer).pk, points=request.points or 0, reference=reference
        )
    elif method in DEFERRED_METHODS:
        tender.status = TenderStatus.PENDING
        tender.payment = sale_payment_start(
            sale=sale, method=method, amount=tender.amount, payer=request.payer, actor=sale.cashier
        )
    tender.save()
    return tender


def _required(customer: Customer | None) -> Customer:
    if customer is None:  # _tenders refused this already; here for the type checker
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


# --- stock ------------------------------------------------------------------------------------


def _in_stock_order(lines: list[SaleLine]) -> list[SaleLine]:
    return sorted(
        (ln for ln in lines if ln.product.is_tracked), key=lambda ln: (ln.product_id, ln.line_no)
    )


def _deferred(tenders: list[TenderRequest]) -> bool:
    return any(t.method in DEFERRED_METHODS for t in tenders)


def _take_stock(
    sale: Sale, lines: list[SaleLine], register: Register, actor: Any, *, offline: bool = False
) -> None:
    reference = str(sale.uuid)
    # Whether the business sells below zero matters only for a short line; most checkouts
    # never ask.
    allow_negative: bool | None = None
    for line in _in_stock_order(lines):
        take = partial(
            stock_take,
            product=line.product,
            location=register.location,
            quantity=line.quantity,
            reason=MovementReason.SALE,
            reference=reference,
            actor=person_or_none(actor),
        )
        try:
            consumed = take()
        except StockDrift:
            raise
        except InsufficientStock as error:
            # A refused removal wrote nothing, so it can be tried again below zero.
            if allow_negative is None:
                allow_negative = sales_settings().allow_negative_stock
            if not allow_negative and not offline:
                raise _short_stock(lines, register) from error
            # The stock alert (negative_stock) is raised by the removal itself.
            sale.short_stock_flagged = offline and not allow_negative
            consumed = take(allow_negative=True)
        line.cost = Money(sum((c.cost.amount for c in consumed), ZERO), line.cost.currency)


def _reserve(sale: Sale, lines: list[SaleLine], register: Register, actor: Any) -> None:
    expires = timezone.now() + PAYMENT_HOLD
    for line in _in_stock_order(lines):
        try:
            reservation_create(
                product=line.product,
                location=register.location,
                quantity=line.quantity,
                expires_at=expires,
                reference=f"sale:{sale.uuid}:{line.line_no}",
                actor=person_or_none(actor),
            )
        except InsufficientStock as error:
            raise _short_stock(lines, register) from error


def _short_stock(lines: list[SaleLine], register: Register) -> ShortStock:
    needed: dict[int, Decimal] = defaultdict(Decimal)
    for line in lines:
        if line.product.is_tracked:
            needed[line.product_id] += line.quantity
    free = {
        level.product_id: level.quantity - level.reserved
        for level in StockLevel.objects.filter(location=register.location, product_id__in=needed)
    }
    errors = FieldErrorCollector()
    for index, line in enumerate(lines):
        have = free.get(line.product_id, ZERO)
        if line.product.is_tracked and have < needed[line.product_id]:
            errors.add(
                f"lines[{index}].quantity",
                "insufficient_stock",
                f"Only {have.normalize():f} of {line.product.name} left at "
                f"{register.location.name}.",
            )
    return ShortStock("Some lines are short of stock.", fields=errors.fields)


# --- completion --------------------------------------------------------------------------------


def _finish(sale: Sale, lines: list[SaleLine], tenders: list[Tender], actor: Any) -> None:
    """Books a fully paid sale, numbers it and marks it completed (stock is already taken)."""
    currency = sale.total.currency
    cost = sum((line.cost.amount for line in lines), ZERO)
    SaleLine.objects.bulk_update(lines, ["cost"])
    by_method: dict[str, Decimal] = defaultdict(Decimal)
    for tender in tenders:
        if tender.amount.amount > 0:
            by_method[tender.method] += tender.amount.amount
    # A sale's entry is named by the sale (source and reference), carries its author and can
    # never change (database triggers): an audit record of it would add nothing but a queue,
    # since audit records of one business are chained one at a time.
    with disable_auditlog():
        sale_posted(
            reference=str(sale.uuid),
            day=business_today(),
            memo=f"Sale at {sale.register.name}",
            revenue=sale.subtotal.amount,
            discounts=sale.discount_total.amount,
            tax=sale.tax_total.amount,
            tenders=dict(by_method),
            cost=cost,
            actor=actor,
        )
    if sale.customer_id is not None:
        # Points are earned on what was paid for with money, not on what points paid for.
        paid = sale.total.amount - by_method.get(TenderMethod.LOYALTY, ZERO)
        if paid > 0:
            loyalty_earn(
                customer_id=sale.customer_id,
                spend=Money(paid, currency),
                reference=str(sale.uuid),
            )
    sale.cost_total = Money(cost, currency)
    sale.paid_total = Money(sum(by_method.values(), ZERO), currency)
    sale.status = SaleStatus.COMPLETED
    sale.completed_at = timezone.now()
    # Last, so the till's row is locked only for the few statements to the commit.
    sale.receipt_number = _next_receipt_number(sale.register_id)
    sale.save()


def _next_receipt_number(register_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE sales_register SET next_receipt_number = next_receipt_number + 1 "
            "WHERE id = %s RETURNING next_receipt_number - 1",
            [register_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise NotFound("No such till.")
    return int(row[0])


def sale_complete(*, sale: Sale, actor: Any = None) -> Sale:
    """Completes a sale whose pending payments have all succeeded (inside the caller's
    transaction, with the sale row locked): takes the reserved stock, books, numbers."""
    lines = list(sale.lines.select_related("product"))
    tenders = list(sale.tenders.all())
    if any(t.status != TenderStatus.SETTLED for t in tenders if t.amount.amount > 0):
        return sale
    reference = str(sale.uuid)
    held = {
        r.reference: r
        for r in Reservation.objects.filter(
            reference__startswith=f"sale:{sale.uuid}:", status=ReservationStatus.ACTIVE
        )
    }
    for line in _in_stock_order(lines):
        reservation = held.get(f"sale:{sale.uuid}:{line.line_no}")
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
    _finish(sale, lines, tenders, actor or sale.cashier)
    _announce(sale)
    return sale
