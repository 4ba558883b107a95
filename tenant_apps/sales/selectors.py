"""Reads: sales, a shift's X report, registers, coupons."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, QuerySet, Sum
from moneyed import Money

from saas_platform.changes import changed_since
from saas_platform.errors import Conflict, NotFound
from saas_platform.list_filters import filter_given
from saas_platform.money import round_money
from tenant_apps.sales.models import (
    CashMovement,
    Coupon,
    RefundMethod,
    Register,
    Sale,
    SaleReturn,
    SaleStatus,
    Shift,
    ShiftStatus,
    Tender,
    TenderMethod,
)

ZERO = Decimal(0)


def register_list() -> QuerySet[Register]:
    """Tills with their open shift, if any, as ``open_shifts`` (a list of none or one)."""
    open_shifts = Shift.objects.filter(status=ShiftStatus.OPEN).select_related("opened_by")
    return (
        Register.objects.select_related("location")
        .prefetch_related(Prefetch("shifts", queryset=open_shifts, to_attr="open_shifts"))
        .order_by("code")
    )


def register_get(register_id: int) -> Register | None:
    return register_list().filter(pk=register_id).first()


def coupon_list() -> QuerySet[Coupon]:
    return Coupon.objects.order_by("code")


def sale_list(
    *,
    status: str | None = None,
    register_id: int | None = None,
    shift_id: int | None = None,
    customer_id: int | None = None,
    updated_since: datetime | None = None,
) -> QuerySet[Sale]:
    sales = filter_given(
        Sale.objects.select_related("register", "customer", "cashier").order_by(
            "-created_at", "-pk"
        ),
        status=status,
        register_id=register_id,
        shift_id=shift_id,
        customer_id=customer_id,
    )
    return changed_since(sales, updated_since)


def sale_detail(uuid: str) -> Sale | None:
    return (
        Sale.objects.select_related("register__location", "customer", "cashier", "coupon")
        .prefetch_related("lines__product", "tenders__payment", "returns__lines")
        .filter(uuid=uuid)
        .first()
    )


def _sum(queryset: QuerySet[Any], field: str) -> Decimal:
    return queryset.aggregate(total=Sum(field))["total"] or ZERO


def shift_summary(shift: Shift) -> dict[str, Any]:
    """The X report: where a shift stands now (the Z report is this, frozen at close)."""
    currency = str(shift.opening_float.currency)

    def fmt(value: Decimal | None) -> str:
        return str(round_money(Money(value or ZERO, currency)).amount)

    completed = Sale.objects.filter(shift=shift, status=SaleStatus.COMPLETED)
    tenders = Tender.objects.filter(sale__in=completed, amount__gt=0)
    by_method = {
        row["method"]: row["total"]
        for row in tenders.values("method").annotate(total=Sum("amount")).order_by("method")
    }
    returns = SaleReturn.objects.filter(shift=shift)
    cash_refunds = _sum(returns.filter(refund_method=RefundMethod.CASH), "total")
    movements = CashMovement.objects.filter(shift=shift)
    cash_in = _sum(movements.filter(kind="cash_in"), "amount")
    cash_out = _sum(movements.filter(kind="cash_out"), "amount")
    cash_sales = by_method.get(TenderMethod.CASH, ZERO)
    expected = shift.opening_float.amount + cash_sales + cash_in - cash_out - cash_refunds
    totals = completed.aggregate(
        count=Count("pk"),
        gross=Sum("total"),
        tax=Sum("tax_total"),
        discounts=Sum("discount_total"),
        cost=Sum("cost_total"),
    )
    return {
        "shift": shift.pk,
        "register": shift.register.code,
        "opened_at": shift.opened_at.isoformat(),
        "currency": str(shift.opening_float.currency),
        "opening_float": fmt(shift.opening_float.amount),
        "sales_count": totals["count"],
        "sales_total": fmt(totals["gross"] or ZERO),
        "tax_total": fmt(totals["tax"] or ZERO),
        "discount_total": fmt(totals["discounts"] or ZERO),
        "cost_total": fmt(totals["cost"] or ZERO),
        "voided_count": Sale.objects.filter(shift=shift, status=SaleStatus.VOIDED).count(),
        "tenders": {method: fmt(total) for method, total in by_method.items()},
        "returns_count": returns.count(),
        "returns_total": fmt(_sum(returns, "total")),
        "cash_refunds": fmt(cash_refunds),
        "cash_in": fmt(cash_in),
        "cash_out": fmt(cash_out),
        "expected_cash": fmt(expected),
    }


def shift_get(shift_id: int) -> Shift:
    shift = Shift.objects.select_related("register", "opened_by").filter(pk=shift_id).first()
    if shift is None:
        raise NotFound("No such shift.")
    return shift


def open_shifts_of(register: Register) -> list[Shift]:
    """The till's open shift as a list of none or one (``register_list()`` reads it ahead)."""
    return list(register.shifts.filter(status=ShiftStatus.OPEN).select_related("opened_by"))


def parked_sale_list(*, register_id: int | None = None) -> QuerySet[Sale]:
    return sale_list(status=SaleStatus.PARKED, register_id=register_id).prefetch_related(
        "lines__product", "tenders"
    )


def receipt_sale_get(sale_uuid: Any) -> Sale:
    """A sale that has a receipt: paid (completed) or voided after it was paid."""
    sale = sale_detail(str(sale_uuid))
    if sale is None:
        raise NotFound("No such sale.")
    if sale.status not in (SaleStatus.COMPLETED, SaleStatus.VOIDED):
        raise Conflict(
            f"This sale is {sale.status.replace('_', ' ')}; it has a receipt once it is paid.",
            code="no_receipt_yet",
        )
    return sale
