"""Read queries of purchasing, with their eager loading; payables and their aging."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Min,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    When,
)

from saas_platform.changes import changed_since
from saas_platform.list_filters import filter_given
from saas_platform.money import DECIMAL_PLACES, MAX_DIGITS
from tenant_apps.purchasing.models import (
    PAYABLE_STATUSES,
    GoodsReceipt,
    GoodsReceiptLine,
    PurchaseOrder,
    PurchaseOrderLine,
    Supplier,
    SupplierInvoice,
    SupplierPayment,
)


def supplier_list(
    *, active: bool | None = None, search: str = "", updated_since: datetime | None = None
) -> QuerySet[Supplier]:
    suppliers = Supplier.objects.all()
    if active is not None:
        suppliers = suppliers.filter(is_active=active)
    if search:
        suppliers = suppliers.filter(
            Q(name__icontains=search) | Q(contact_name__icontains=search) | Q(phone=search)
        )
    return changed_since(suppliers, updated_since)


def supplier_get(supplier_id: int) -> Supplier | None:
    return Supplier.objects.filter(pk=supplier_id).first()


def _orders() -> QuerySet[PurchaseOrder]:
    return PurchaseOrder.objects.select_related(
        "supplier", "destination", "created_by"
    ).prefetch_related(
        Prefetch("lines", queryset=PurchaseOrderLine.objects.select_related("product"))
    )


def purchase_order_list(
    *, status: str | None = None, supplier_id: int | None = None
) -> QuerySet[PurchaseOrder]:
    return filter_given(_orders(), status=status, supplier_id=supplier_id)


def purchase_order_get(order_id: int) -> PurchaseOrder | None:
    return _orders().filter(pk=order_id).first()


def _receipts() -> QuerySet[GoodsReceipt]:
    return GoodsReceipt.objects.select_related("order", "created_by").prefetch_related(
        Prefetch("lines", queryset=GoodsReceiptLine.objects.select_related("order_line__product"))
    )


def goods_receipt_list(*, order_id: int) -> QuerySet[GoodsReceipt]:
    return _receipts().filter(order_id=order_id)


def goods_receipt_get(receipt_id: int) -> GoodsReceipt:
    return _receipts().get(pk=receipt_id)


def supplier_invoice_list(
    *, supplier_id: int | None = None, status: str | None = None
) -> QuerySet[SupplierInvoice]:
    invoices = SupplierInvoice.objects.select_related("supplier", "order")
    return filter_given(invoices, supplier_id=supplier_id, status=status)


def supplier_invoice_get(invoice_id: int) -> SupplierInvoice | None:
    return supplier_invoice_list().filter(pk=invoice_id).first()


def supplier_payment_list(*, invoice_id: int) -> QuerySet[SupplierPayment]:
    return SupplierPayment.objects.filter(invoice_id=invoice_id).select_related("created_by")


# --- Accounts payable ---------------------------------------------------------------------------

AGING_BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "days_over_90")

_AMOUNT = DecimalField(max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES)


@dataclass
class SupplierPayable:
    supplier_id: int
    supplier_name: str
    invoice_count: int
    oldest_due_date: date | None
    outstanding: Decimal
    buckets: dict[str, Decimal] = field(default_factory=dict)


@dataclass
class Payables:
    as_of: date
    suppliers: list[SupplierPayable]
    outstanding: Decimal
    buckets: dict[str, Decimal]


def _bucket_sums(today: date) -> dict[str, Sum]:
    """Outstanding amounts by days overdue, counted from the due date (a bill due today is
    current; due yesterday is 1 day overdue)."""
    owed = ExpressionWrapper(F("total") - F("amount_paid"), output_field=_AMOUNT)
    day = timedelta(days=1)

    def overdue_between(low: int, high: int | None) -> Sum:
        # Overdue by at least `low` days means due on or before today - low.
        condition = Q(due_date__lte=today - low * day)
        if high is not None:
            condition &= Q(due_date__gte=today - high * day)
        return Sum(Case(When(condition, then=owed), default=None, output_field=_AMOUNT))

    return {
        "current": Sum(
            Case(When(due_date__gte=today, then=owed), default=None, output_field=_AMOUNT)
        ),
        "days_1_30": overdue_between(1, 30),
        "days_31_60": overdue_between(31, 60),
        "days_61_90": overdue_between(61, 90),
        "days_over_90": overdue_between(91, None),
    }


def payables_summary(*, today: date) -> Payables:
    """What is owed to each supplier on unpaid bills, and how overdue it is, as of ``today``."""
    owed = ExpressionWrapper(F("total") - F("amount_paid"), output_field=_AMOUNT)
    rows = (
        SupplierInvoice.objects.filter(status__in=PAYABLE_STATUSES)
        .values("supplier_id", "supplier__name")
        .annotate(
            invoice_count=Count("pk"),
            oldest_due_date=Min("due_date"),
            owed=Sum(owed),
            **_bucket_sums(today),
        )
        .order_by("supplier__name", "supplier_id")
    )
    suppliers = [
        SupplierPayable(
            supplier_id=row["supplier_id"],
            supplier_name=row["supplier__name"],
            invoice_count=row["invoice_count"],
            oldest_due_date=row["oldest_due_date"],
            outstanding=row["owed"] or Decimal(0),
            buckets={name: row[name] or Decimal(0) for name in AGING_BUCKETS},
        )
        for row in cast(Iterable[dict[str, Any]], rows)
    ]
    return Payables(
        as_of=today,
        suppliers=suppliers,
        outstanding=sum((s.outstanding for s in suppliers), Decimal(0)),
        buckets={
            name: sum((s.buckets[name] for s in suppliers), Decimal(0)) for name in AGING_BUCKETS
        },
    )
