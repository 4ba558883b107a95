"""Purchasing actions: suppliers, purchase orders, goods receipts, supplier bills and payments.

Every action runs in one transaction and either does everything or nothing. A purchase order's
row is locked before its lines, and its lines in id order, so a receipt, a cancellation and a
line edit on the same order queue behind one another instead of deadlocking or interleaving.
Received quantities and amounts paid change only through conditional UPDATEs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Exists, F, OuterRef, Value, When
from django.utils import timezone
from moneyed import Money

from saas_platform.errors import Conflict, FieldErrorCollector, NotFound, ValidationFailed
from saas_platform.locking import lock_found, lock_rows
from saas_platform.money import money, round_money
from saas_platform.tenancy import business_today, local_date
from shared_apps.users.actors import person_or_none
from tenant_apps.catalog.models import Product, ProductKind
from tenant_apps.inventory.models import Location, MovementReason
from tenant_apps.inventory.stock import stock_receive
from tenant_apps.ledger.events import goods_receipt_posted, supplier_payment_posted
from tenant_apps.purchasing.models import (
    PAYABLE_STATUSES,
    RECEIVABLE_STATUSES,
    GoodsReceipt,
    GoodsReceiptLine,
    InvoiceStatus,
    OrderStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    Supplier,
    SupplierInvoice,
    SupplierPayment,
)

# --- Helpers ------------------------------------------------------------------------------------


def _next_reference(prefix: str) -> str:
    """``PO-00042``: the next number of ``prefix``, unique even under concurrent requests."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO purchasing_documentcounter (prefix, last_number) VALUES (%s, 1) "
            "ON CONFLICT (prefix) DO UPDATE "
            "SET last_number = purchasing_documentcounter.last_number + 1 "
            "RETURNING last_number",
            [prefix],
        )
        row = cursor.fetchone()
    assert row is not None  # noqa: S101  (RETURNING always yields the row)
    return f"{prefix}-{row[0]:05d}"


def _amount(
    value: Decimal, field: str, errors: FieldErrorCollector, *, positive: bool
) -> Money | None:
    """An amount in the business's currency, refused when finer than its minor unit."""
    amount = money(value)
    if amount.amount < 0 or (positive and amount.amount == 0):
        errors.add(field, "not_positive", "The amount must be above zero.")
        return None
    if round_money(amount) != amount:
        errors.add(field, "too_precise", f"{amount.currency} amounts have fewer decimals.")
        return None
    return amount


def _unit_cost(value: Decimal, field: str, errors: FieldErrorCollector) -> Money | None:
    # Unit costs keep four decimals (bulk goods cost fractions of a cent each): no rounding.
    if value < 0:
        errors.add(field, "negative", "A cost cannot be negative.")
        return None
    return money(value)


# --- Suppliers ----------------------------------------------------------------------------------

SUPPLIER_FIELDS = frozenset(
    {
        "name",
        "contact_name",
        "phone",
        "email",
        "address",
        "tax_id",
        "payment_terms_days",
        "lead_time_days",
        "is_active",
    }
)


def _save_supplier(supplier: Supplier) -> Supplier:
    taken = Supplier.objects.filter(name__iexact=supplier.name).exclude(pk=supplier.pk)
    name_taken = ValidationFailed.for_field(
        "name", "supplier_name_taken", f"There is already a supplier called “{supplier.name}”."
    )
    if taken.exists():
        raise name_taken
    supplier.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            supplier.save()
    except IntegrityError as error:  # the same name created by a concurrent request
        raise name_taken from error
    return supplier


@transaction.atomic
def supplier_create(
    *,
    name: str,
    contact_name: str = "",
    phone: str = "",
    email: str = "",
    address: str = "",
    tax_id: str = "",
    payment_terms_days: int = 30,
    lead_time_days: int = 7,
) -> Supplier:
    return _save_supplier(
        Supplier(
            name=name.strip(),
            contact_name=contact_name,
            phone=phone,
            email=email,
            address=address,
            tax_id=tax_id,
            payment_terms_days=payment_terms_days,
            lead_time_days=lead_time_days,
        )
    )


def _locked_supplier(supplier_id: int) -> Supplier:
    return lock_found(Supplier, pk=supplier_id, missing="No such supplier.")


@transaction.atomic
def supplier_update(*, supplier_id: int, data: dict[str, Any]) -> Supplier:
    """Changes the given fields (any of ``SUPPLIER_FIELDS``)."""
    supplier = _locked_supplier(supplier_id)
    for name, value in data.items():
        if name not in SUPPLIER_FIELDS:
            raise ValueError(f"Suppliers have no editable field {name!r}.")
        setattr(supplier, name, value.strip() if name == "name" else value)
    return _save_supplier(supplier)


@transaction.atomic
def supplier_deactivate(*, supplier_id: int) -> Supplier:
    """Hides a supplier from new orders; its orders, bills and payables stay as they are."""
    supplier = _locked_supplier(supplier_id)
    if supplier.is_active:
        supplier.is_active = False
        supplier.save(update_fields=["is_active", "updated_at"])
    return supplier


# --- Purchase orders ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderLineInput:
    product_id: int
    quantity: Decimal
    unit_cost: Decimal | None = None  # None: the product's standard cost


def _order_lines(
    lines: list[OrderLineInput], errors: FieldErrorCollector
) -> list[PurchaseOrderLine]:
    products = Product.objects.filter(pk__in={line.product_id for line in lines}).annotate(
        is_parent=Exists(Product.objects.filter(variant_of=OuterRef("pk")))
    )
    by_id = {product.pk: product for product in products}
    seen: set[int] = set()
    built: list[PurchaseOrderLine] = []
    for index, line in enumerate(lines):
        at = f"lines[{index}]"
        product = by_id.get(line.product_id)
        if product is None:
            errors.add(f"{at}.product", "does_not_exist", "No such product.")
        elif product.kind != ProductKind.STOCK:
            errors.add(f"{at}.product", "not_stocked", f"{product.name} is not a stock item.")
        elif product.is_parent:
            errors.add(
                f"{at}.product",
                "variant_parent",
                f"{product.name} has variants; order the variants themselves.",
            )
        elif not product.is_active:
            errors.add(f"{at}.product", "inactive", f"{product.name} is no longer active.")
        elif product.pk in seen:
            errors.add(f"{at}.product", "duplicate", f"{product.name} is on the order twice.")
        if line.quantity <= 0:
            errors.add(f"{at}.quantity", "not_positive", "The quantity must be above zero.")
        cost: Money | None = None
        if line.unit_cost is not None:
            cost = _unit_cost(line.unit_cost, f"{at}.unit_cost", errors)
        elif product is not None:
            cost = product.cost_price
        if product is None or cost is None:
            continue
        seen.add(product.pk)
        built.append(
            PurchaseOrderLine(product=product, quantity_ordered=line.quantity, unit_cost=cost)
        )
    return built


def _destination(location_id: int, errors: FieldErrorCollector) -> Location | None:
    location = Location.objects.filter(pk=location_id, is_active=True).first()
    if location is None:
        errors.add("destination", "does_not_exist", "No such active location.")
    return location


@transaction.atomic
def purchase_order_create(
    *,
    supplier_id: int,
    destination_id: int,
    lines: list[OrderLineInput],
    actor: Any,
    expected_on: date | None = None,
    note: str = "",
) -> PurchaseOrder:
    """A draft order: nothing is promised to the supplier until it is placed."""
    errors = FieldErrorCollector()
    supplier = Supplier.objects.filter(pk=supplier_id).first()
    if supplier is None:
        errors.add("supplier", "does_not_exist", "No such supplier.")
    elif not supplier.is_active:
        errors.add("supplier", "inactive", f"{supplier.name} is deactivated.")
    destination = _destination(destination_id, errors)
    order_lines = _order_lines(lines, errors)
    errors.raise_if_any()
    assert supplier is not None and destination is not None  # noqa: S101  (errors raised above)
    order = PurchaseOrder.objects.create(
        reference=_next_reference("PO"),
        supplier=supplier,
        destination=destination,
        expected_on=expected_on,
        note=note,
        created_by=person_or_none(actor),
    )
    for line in order_lines:
        line.order = order
    PurchaseOrderLine.objects.bulk_create(order_lines)
    return order


def _locked_order(order_id: int) -> PurchaseOrder:
    return lock_found(PurchaseOrder, pk=order_id, missing="No such purchase order.")


def _refuse(order: PurchaseOrder, action: str, code: str) -> Conflict:
    return Conflict(
        f"{order.reference} is {order.get_status_display().lower()}; it cannot be {action}.",
        code=code,
    )


@transaction.atomic
def purchase_order_update(*, order_id: int, data: dict[str, Any]) -> PurchaseOrder:
    """Edits a draft: ``destination_id``, ``expected_on``, ``note``, or ``lines`` (replaced)."""
    order = _locked_order(order_id)
    if order.status != OrderStatus.DRAFT:
        raise _refuse(order, "edited", "order_not_draft")
    errors = FieldErrorCollector()
    if "destination_id" in data:
        destination = _destination(data["destination_id"], errors)
        if destination is not None:
            order.destination = destination
    new_lines = _order_lines(data["lines"], errors) if "lines" in data else None
    errors.raise_if_any()
    if "expected_on" in data:
        order.expected_on = data["expected_on"]
    if "note" in data:
        order.note = data["note"]
    order.save()
    if new_lines is not None:
        order.lines.all().delete()
        for line in new_lines:
            line.order = order
        PurchaseOrderLine.objects.bulk_create(new_lines)
    return order


@transaction.atomic
def purchase_order_place(*, order_id: int) -> PurchaseOrder:
    """Sends a draft to the supplier; it is expected after the supplier's lead time."""
    order = _locked_order(order_id)
    if order.status != OrderStatus.DRAFT:
        raise _refuse(order, "placed", "order_not_draft")
    if not order.lines.exists():
        raise Conflict(f"{order.reference} has no lines to order.", code="order_empty")
    supplier = order.supplier
    if not supplier.is_active:
        raise Conflict(f"{supplier.name} is deactivated.", code="supplier_inactive")
    if order.expected_on is None:
        order.expected_on = business_today() + timedelta(days=supplier.lead_time_days)
    order.status = OrderStatus.ORDERED
    order.ordered_at = timezone.now()
    order.save(update_fields=["status", "expected_on", "ordered_at", "updated_at"])
    return order


@transaction.atomic
def purchase_order_cancel(*, order_id: int) -> PurchaseOrder:
    """Cancels an order nothing has been received on; received goods are closed instead."""
    order = _locked_order(order_id)
    received = order.lines.filter(quantity_received__gt=0).exists()
    if order.status not in (OrderStatus.DRAFT, OrderStatus.ORDERED) or received:
        raise _refuse(order, "cancelled", "order_not_cancellable")
    order.status = OrderStatus.CANCELLED
    order.closed_at = timezone.now()
    order.save(update_fields=["status", "closed_at", "updated_at"])
    return order


@transaction.atomic
def purchase_order_close(*, order_id: int) -> PurchaseOrder:
    """Ends an order that got goods: whatever has not come by now is no longer expected."""
    order = _locked_order(order_id)
    if order.status not in (OrderStatus.PARTIALLY_RECEIVED, OrderStatus.RECEIVED):
        raise _refuse(order, "closed", "order_not_closable")
    order.status = OrderStatus.CLOSED
    order.closed_at = timezone.now()
    order.save(update_fields=["status", "closed_at", "updated_at"])
    return order


# --- Goods receipts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptLineInput:
    line_id: int
    quantity: Decimal
    unit_cost: Decimal | None = None  # None: the order line's cost
    lot_code: str = ""
    expires_on: date | None = None


def _replay(idempotency_key: str, order_id: int) -> GoodsReceipt | None:
    earlier = GoodsReceipt.objects.filter(idempotency_key=idempotency_key).first()
    if earlier is not None and earlier.order_id != order_id:
        raise Conflict(
            "This idempotency key was already used for another purchase order.",
            code="idempotency_key_reused",
        )
    return earlier


@transaction.atomic
def goods_receipt_create(
    *,
    order_id: int,
    lines: list[ReceiptLineInput],
    actor: Any,
    delivery_note: str = "",
    received_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> tuple[GoodsReceipt, bool]:
    """Puts delivered goods into stock, one batch per line, at the destination of the order.

    Returns the receipt and whether it was made now; a key already used returns the receipt
    made the first time and changes nothing.
    """
    if idempotency_key and (earlier := _replay(idempotency_key, order_id)):
        return earlier, False
    order = _locked_order(order_id)
    # A retry that waited on the lock sees the first attempt's receipt once it committed.
    if idempotency_key and (earlier := _replay(idempotency_key, order_id)):
        return earlier, False
    if order.status not in RECEIVABLE_STATUSES:
        raise _refuse(order, "received against", "order_not_receivable")

    lines_of_order = PurchaseOrderLine.objects.filter(order=order).select_related("product")
    order_lines = {line.pk: line for line in lock_rows(lines_of_order)}
    errors = FieldErrorCollector()
    if not lines:
        errors.add("lines", "empty", "A receipt needs at least one line.")
    accepted: list[tuple[PurchaseOrderLine, ReceiptLineInput, Money]] = []
    seen: set[int] = set()
    for index, item in enumerate(lines):
        at = f"lines[{index}]"
        line = order_lines.get(item.line_id)
        if line is None:
            errors.add(f"{at}.line", "does_not_exist", f"{order.reference} has no such line.")
            continue
        if line.pk in seen:
            errors.add(f"{at}.line", "duplicate", "The same order line appears twice.")
            continue
        seen.add(line.pk)
        outstanding = line.quantity_outstanding
        if item.quantity <= 0:
            errors.add(f"{at}.quantity", "not_positive", "The quantity must be above zero.")
        elif item.quantity > outstanding:
            errors.add(
                f"{at}.quantity",
                "exceeds_outstanding",
                f"Only {outstanding.normalize():f} of {line.product.name} "
                f"still to come on {order.reference}.",
            )
        cost = (
            line.unit_cost
            if item.unit_cost is None
            else _unit_cost(item.unit_cost, f"{at}.unit_cost", errors)
        )
        if cost is not None:
            accepted.append((line, item, cost))
    errors.raise_if_any()

    try:
        with transaction.atomic():
            receipt = GoodsReceipt.objects.create(
                order=order,
                reference=_next_reference("GRN"),
                received_at=received_at or timezone.now(),
                delivery_note=delivery_note,
                idempotency_key=idempotency_key or "",
                created_by=person_or_none(actor),
            )
    except IntegrityError:
        # The key was used at the same moment for another order (this order is locked).
        if idempotency_key and (earlier := _replay(idempotency_key, order_id)):
            return earlier, False
        raise

    # Stock rows are taken in product order, as the stock engine asks of multi-product callers.
    for line, item, cost in sorted(accepted, key=lambda entry: entry[0].product_id):
        batch = stock_receive(
            product=line.product,
            location=order.destination,
            quantity=item.quantity,
            unit_cost=cost,
            reason=MovementReason.RECEIPT,
            reference=receipt.reference,
            actor=person_or_none(actor),
            lot_code=item.lot_code,
            expires_on=item.expires_on,
            received_at=receipt.received_at,
            note=order.reference,
        )
        updated = PurchaseOrderLine.objects.filter(
            pk=line.pk, quantity_received__lte=F("quantity_ordered") - item.quantity
        ).update(quantity_received=F("quantity_received") + item.quantity)
        if not updated:  # cannot happen while the line is locked; never over-receive silently
            raise Conflict("The order line changed while receiving; try again.")
        GoodsReceiptLine.objects.create(
            receipt=receipt,
            order_line=line,
            quantity=item.quantity,
            unit_cost=cost,
            lot_code=item.lot_code,
            expires_on=item.expires_on,
            batch=batch,
        )

    goods_receipt_posted(
        reference=receipt.reference,
        day=local_date(receipt.received_at),
        costs=[cost * item.quantity for _line, item, cost in accepted],
        memo=f"{receipt.reference}: goods received on {order.reference}",
        actor=actor,
    )
    complete = not order.lines.filter(quantity_received__lt=F("quantity_ordered")).exists()
    order.status = OrderStatus.RECEIVED if complete else OrderStatus.PARTIALLY_RECEIVED
    order.save(update_fields=["status", "updated_at"])
    return receipt, True


# --- Supplier invoices and payments -------------------------------------------------------------


@transaction.atomic
def supplier_invoice_create(
    *,
    supplier_id: int,
    number: str,
    invoice_date: date,
    total: Decimal,
    actor: Any,
    due_date: date | None = None,
    order_id: int | None = None,
    note: str = "",
) -> SupplierInvoice:
    """Records a supplier's bill; it falls due after the supplier's payment terms by default."""
    errors = FieldErrorCollector()
    number = number.strip()
    supplier = Supplier.objects.filter(pk=supplier_id).first()
    if supplier is None:
        errors.add("supplier", "does_not_exist", "No such supplier.")
    elif SupplierInvoice.objects.filter(supplier=supplier, number__iexact=number).exists():
        errors.add("number", "duplicate_number", f"Invoice {number} is already recorded.")
    if not number:
        errors.add("number", "blank", "The supplier's invoice number is required.")
    order = None
    if order_id is not None:
        order = PurchaseOrder.objects.filter(pk=order_id).first()
        if order is None or (supplier is not None and order.supplier_id != supplier.pk):
            errors.add("order", "does_not_exist", "No such purchase order of this supplier.")
        elif order.status in (OrderStatus.DRAFT, OrderStatus.CANCELLED):
            errors.add("order", "not_ordered", f"{order.reference} was never ordered.")
    amount = _amount(total, "total", errors, positive=True)
    if supplier is not None and due_date is None:
        due_date = invoice_date + timedelta(days=supplier.payment_terms_days)
    if due_date is not None and due_date < invoice_date:
        errors.add("due_date", "before_invoice_date", "A bill cannot fall due before its date.")
    errors.raise_if_any()
    assert supplier is not None and amount is not None and due_date is not None  # noqa: S101
    try:
        with transaction.atomic():
            return SupplierInvoice.objects.create(
                supplier=supplier,
                order=order,
                number=number,
                invoice_date=invoice_date,
                due_date=due_date,
                total=amount,
                amount_paid=money(0),
                note=note,
                created_by=person_or_none(actor),
            )
    except IntegrityError as error:  # recorded by a concurrent request
        raise ValidationFailed.for_field(
            "number", "duplicate_number", f"Invoice {number} is already recorded."
        ) from error


@transaction.atomic
def supplier_invoice_void(*, invoice_id: int) -> SupplierInvoice:
    """Voids a bill entered by mistake; a bill with payments against it cannot be voided."""
    voided = SupplierInvoice.objects.filter(
        pk=invoice_id, status=InvoiceStatus.OPEN, amount_paid=0
    ).update(status=InvoiceStatus.VOID)
    invoice = SupplierInvoice.objects.filter(pk=invoice_id).first()
    if invoice is None:
        raise NotFound("No such supplier invoice.")
    if not voided and invoice.status != InvoiceStatus.VOID:
        raise Conflict(
            f"Invoice {invoice.number} has payments against it; it cannot be voided.",
            code="invoice_not_voidable",
        )
    return invoice


@transaction.atomic
def supplier_payment_record(
    *,
    invoice_id: int,
    amount: Decimal,
    method: str,
    actor: Any,
    paid_on: date | None = None,
    reference: str = "",
) -> SupplierPayment:
    """Pays (part of) a bill; never more than is still owed, even when two people pay at once."""
    errors = FieldErrorCollector()
    paid = _amount(amount, "amount", errors, positive=True)
    errors.raise_if_any()
    assert paid is not None  # noqa: S101
    # One conditional UPDATE: the row lock it takes makes a concurrent payment wait and then
    # re-check the condition against the new balance, so the invoice is never overpaid.
    new_paid = F("amount_paid") + paid.amount
    applied = SupplierInvoice.objects.filter(
        pk=invoice_id, status__in=PAYABLE_STATUSES, total__gte=new_paid
    ).update(
        amount_paid=new_paid,
        status=Case(
            When(total=new_paid, then=Value(InvoiceStatus.PAID)),
            default=Value(InvoiceStatus.PARTIALLY_PAID),
        ),
    )
    invoice = SupplierInvoice.objects.filter(pk=invoice_id).first()
    if invoice is None:
        raise NotFound("No such supplier invoice.")
    if not applied:
        if invoice.status == InvoiceStatus.VOID:
            raise Conflict(f"Invoice {invoice.number} is void.", code="invoice_void")
        owed = round_money(invoice.total - invoice.amount_paid)
        raise ValidationFailed.for_field(
            "amount",
            "exceeds_outstanding",
            f"Only {owed.currency} {owed.amount} is still owed on invoice {invoice.number}.",
        )
    payment = SupplierPayment.objects.create(
        invoice=invoice,
        amount=paid,
        paid_on=paid_on or business_today(),
        method=method,
        reference=reference,
        created_by=person_or_none(actor),
    )
    supplier_payment_posted(
        payment_id=payment.pk,
        day=payment.paid_on,
        amount=paid,
        method=method,
        memo=f"Payment of invoice {invoice.number}" + (f" ({reference})" if reference else ""),
        actor=actor,
    )
    return payment
