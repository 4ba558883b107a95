"""Checkout: one call turns a cart into a sale — priced, paid, stock taken, booked, numbered.

Order inside the transaction, chosen for correctness first and short lock holds second:

0. The cart is priced by ``pricing.cart.cart_price``, which only reads and refuses
   (permissions, unknown products, amounts too large): a refusal has written nothing, and a
   quote runs the same function.
1. The sale row is the first write. Its UUID is unique, so a second request with the same UUID
   waits on the first one's index entry and then fails, before it has touched any stock; the
   caller then answers with the sale the first request made.
2. The coupon's use is counted and the tenders taken (``coupons``, ``tenders``).
3. Stock is taken line by line in product order (a stable order, so two checkouts never
   deadlock), each by a conditional UPDATE that refuses rather than oversells (``completion``).
4. The journal entry is posted, then the receipt number is taken from the register row last:
   that row lock serialises the till's sales, so it is held for as little as possible, and a
   sale that rolls back hands its number back — receipt numbers have no gaps.

A sale paid (partly) by mobile money, card or UPI waits for the payment: its stock is held, not
taken (``stock_holds``), and nothing is booked or numbered until the payment succeeds
(``completion.sale_complete``).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from moneyed import Money

from saas_platform.errors import Conflict, ValidationFailed
from saas_platform.locking import lock_row
from shared_apps.users.actors import person_or_none
from tenant_apps.sales.models import (
    Register,
    Sale,
    SaleLine,
    SaleStatus,
    Shift,
    ShiftStatus,
    Tender,
    TenderStatus,
)
from tenant_apps.sales.pricing.cart import PricedCart, cart_price
from tenant_apps.sales.requests import CheckoutRequest
from tenant_apps.sales.services.completion import sale_announce, sale_finish, sale_stock_take
from tenant_apps.sales.services.coupons import coupon_use
from tenant_apps.sales.services.stock_holds import sale_stock_hold
from tenant_apps.sales.services.tenders import GATEWAY_METHODS, sale_tenders_take


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
            sale = _checkout(
                request=request,
                digest=digest,
                actor=actor,
                may_override_price=may_override_price,
                resume=seen is not None,
            )
    except IntegrityError:
        # Another request with this UUID committed while this one was in flight.
        if not Sale.objects.filter(uuid=request.uuid).exclude(status=SaleStatus.PARKED).exists():
            raise
        return _replayed(request.uuid, digest), False
    if sale.status == SaleStatus.COMPLETED:
        sale_announce(sale)
    return sale, True


def _replayed(uuid: UUID, digest: str) -> Sale:
    sale = Sale.objects.get(uuid=uuid)
    if sale.request_digest != digest:
        raise Conflict(
            "A different sale was already made with this UUID; make a new UUID for a new sale.",
            code="idempotency_mismatch",
        )
    return sale


# --- the transaction ---------------------------------------------------------------------------


def _checkout(
    *,
    request: CheckoutRequest,
    digest: str,
    actor: Any,
    may_override_price: bool,
    resume: bool,
) -> Sale:
    register, shift = _till(request.register_id, needs_shift=not request.park)
    if request.offline and (
        request.park or any(t.method in GATEWAY_METHODS for t in request.tenders)
    ):
        raise ValidationFailed.for_field(
            "offline",
            "not_offline",
            "A sale made offline is paid in cash, on account or by points, and is not parked.",
        )
    # Priced (and refused) before anything is written; the quote runs the same code.
    priced = cart_price(cart=request.cart, may_override_price=may_override_price)
    sale = _sale_row(
        request=request,
        digest=digest,
        register=register,
        shift=shift,
        actor=actor,
        priced=priced,
        resume=resume,
    )
    zero = Money(0, priced.currency)
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
    sale.customer = priced.customer
    sale.price_list = priced.price_list
    sale.coupon = priced.coupon
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

    if priced.coupon is not None:
        coupon_use(coupon=priced.coupon)
    tenders = sale_tenders_take(sale=sale, requested=request.tenders)
    if any(t.status == TenderStatus.PENDING for t in tenders):
        sale_stock_hold(sale=sale, lines=lines, actor=actor)
        sale.status = SaleStatus.AWAITING_PAYMENT
        sale.save()
        return sale
    sale_stock_take(sale=sale, lines=lines, actor=actor, offline=request.offline)
    sale_finish(sale=sale, lines=lines, tenders=tenders, actor=actor)
    _remember(sale, lines, tenders)
    return sale


def _remember(sale: Sale, lines: list[SaleLine], tenders: list[Tender]) -> None:
    """Keeps what the checkout made on the sale, as a prefetch would, so that answering the
    request needs no second reading of rows this transaction has just written."""
    sale._prefetched_objects_cache = {  # type: ignore[attr-defined]
        "lines": lines,
        "tenders": [t for t in tenders if t.pk is not None],
    }


def _sale_row(
    *,
    request: CheckoutRequest,
    digest: str,
    register: Register,
    shift: Shift | None,
    actor: Any,
    priced: PricedCart,
    resume: bool,
) -> Sale:
    """The sale's row: the parked cart being resumed (emptied of its lines), or a new row whose
    unique UUID makes a concurrent duplicate wait here and then fail."""
    include_tax = priced.prices_include_tax
    parked = lock_row(Sale, uuid=request.uuid, status=SaleStatus.PARKED) if resume else None
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
    zero = Money(0, priced.currency)
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
