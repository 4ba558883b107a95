"""Sales reports: takings, tax, cost and margin over a period, by day, hour, cashier, product,
category, tender or till — in the business's time zone.

What counts:
- Completed sales, dated by ``completed_at``. A voided sale never happened and counts nowhere.
- Returns count in the period the goods came back (``SaleReturn.created_at``), not the period
  of the sale: a report already read for last month does not change because of a return today.
  They subtract their net, tax and gross, and the quantity, from the row of what was returned
  (its product and category, and the original sale's cashier and till). Cost is given back
  only for goods put back in stock; goods returned but written off stay a cost, as the books
  say (``cost_restocked`` in the ledger).
- ``count`` is the number of sales (with that product, by that cashier…) and ignores returns.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDay, TruncHour

from saas_platform.errors import ValidationFailed
from saas_platform.money import minor_unit_exponent
from saas_platform.tenancy import business_today, business_zone, current_business, start_of_day
from tenant_apps.sales.models import (
    RefundMethod,
    ReturnLine,
    SaleLine,
    SaleReturn,
    SaleStatus,
    Tender,
    TenderStatus,
)

ZERO = Decimal(0)
GROUPS = ("day", "hour", "cashier", "product", "category", "tender", "register")
# The longest period a summary covers (the API refuses more: saas_platform/api/period.py).
MAX_DAYS = 366


@dataclass
class Row:
    key: str
    label: str
    count: int = 0
    quantity: Decimal | None = None
    revenue: Decimal | None = ZERO  # net of tax
    tax: Decimal | None = ZERO
    gross: Decimal = ZERO  # what customers paid
    cost: Decimal | None = ZERO
    returns: Decimal = ZERO  # gross value of the returns already subtracted

    @property
    def profit(self) -> Decimal | None:
        if self.revenue is None or self.cost is None:
            return None
        return self.revenue - self.cost

    @property
    def margin(self) -> Decimal | None:
        """Gross profit as a percentage of net revenue, to two places."""
        profit = self.profit
        if profit is None or not self.revenue:
            return None
        return (profit * 100 / self.revenue).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class Summary:
    start: date
    end: date
    group: str
    time_zone: str
    currency: str
    rows: list[Row]
    totals: Row
    refunds: dict[str, Decimal] = field(default_factory=dict)


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """From midnight of ``start`` to midnight after ``end``, where the business is."""
    return start_of_day(start), start_of_day(end + timedelta(days=1))


# --- how each grouping names its rows ---------------------------------------------------------
# Each grouping reads the same values from a sale line (prefix "") and from a return line
# (prefix "sale_line__"), except time, which is the sale's for sales and the return's for
# returns.


def _time_key(group: str, column: str, tz: ZoneInfo) -> Any:
    trunc = TruncDay if group == "day" else TruncHour
    return trunc(column, tzinfo=tz)


def _dimension(group: str, line_prefix: str) -> dict[str, Any]:
    p = line_prefix
    if group == "cashier":
        return {
            "k_id": F(f"{p}sale__cashier_id"),
            "k_name": F(f"{p}sale__cashier__full_name"),
            "k_email": F(f"{p}sale__cashier__email"),
            "k_via": F(f"{p}sale__sold_via"),
        }
    if group == "product":
        return {
            "k_id": F(f"{p}product_id"),
            "k_name": F(f"{p}product__name"),
            "k_sku": F(f"{p}product__sku"),
        }
    if group == "category":
        return {"k_id": F(f"{p}product__category_id"), "k_name": F(f"{p}product__category__name")}
    if group == "register":
        return {
            "k_id": F(f"{p}sale__register_id"),
            "k_name": F(f"{p}sale__register__name"),
            "k_code": F(f"{p}sale__register__code"),
        }
    raise ValueError(group)


def _key_and_label(group: str, values: dict[str, Any], tz: ZoneInfo) -> tuple[str, str]:
    if group in ("day", "hour"):
        moment: datetime = values["k_time"].astimezone(tz)
        if group == "day":
            return moment.date().isoformat(), moment.strftime("%a %d %b %Y")
        return moment.isoformat(), moment.strftime("%Y-%m-%d %H:00")
    if group == "cashier":
        if values["k_id"] is None:
            via = values["k_via"] or "unknown"
            return f"api:{via}", f"API key {via}"
        return str(values["k_id"]), values["k_name"] or values["k_email"]
    if group == "product":
        return str(values["k_id"]), f"{values['k_name']} ({values['k_sku']})"
    if group == "category":
        if values["k_id"] is None:
            return "none", "Uncategorised"
        return str(values["k_id"]), values["k_name"]
    return str(values["k_id"]), f"{values['k_name']} ({values['k_code']})"


def _line_rows(
    group: str, sold: QuerySet[SaleLine], returned: QuerySet[ReturnLine], tz: ZoneInfo
) -> list[Row]:
    with_quantity = group in ("product", "category")
    if group in ("day", "hour"):
        sold_dims = {"k_time": _time_key(group, "sale__completed_at", tz)}
        returned_dims = {"k_time": _time_key(group, "sale_return__created_at", tz)}
    else:
        sold_dims = _dimension(group, "")
        returned_dims = _dimension(group, "sale_line__")
    rows: dict[str, Row] = {}

    def row_for(values: dict[str, Any]) -> Row:
        key, label = _key_and_label(group, values, tz)
        if key not in rows:
            rows[key] = Row(key=key, label=label, quantity=ZERO if with_quantity else None)
        return rows[key]

    for values in sold.annotate(**sold_dims).values(*sold_dims).annotate(**_sold_sums()).order_by():
        row = row_for(values)
        row.count += values["n"]
        _add(row, values, sign=1, with_quantity=with_quantity)
    for values in (
        returned.annotate(**returned_dims)
        .values(*returned_dims)
        .annotate(
            q=Sum("quantity"),
            net=Sum("net"),
            t=Sum("tax"),
            g=Sum("gross"),
            c=Sum("cost", filter=Q(restock=True)),
        )
        .order_by()
    ):
        row = row_for(values)
        _add(row, values, sign=-1, with_quantity=with_quantity)
        row.returns += values["g"] or ZERO
    return _ordered(group, rows.values())


def _add(row: Row, values: dict[str, Any], *, sign: int, with_quantity: bool) -> None:
    def v(name: str) -> Decimal:
        return (values[name] or ZERO) * sign

    if with_quantity:
        row.quantity = (row.quantity or ZERO) + v("q")
    row.revenue = (row.revenue or ZERO) + v("net")
    row.tax = (row.tax or ZERO) + v("t")
    row.gross += v("g")
    row.cost = (row.cost or ZERO) + v("c")


def _ordered(group: str, rows: Iterable[Row]) -> list[Row]:
    if group in ("day", "hour"):
        return sorted(rows, key=lambda row: row.key)
    # Best sellers first; ties by name so the order is stable.
    return sorted(rows, key=lambda row: (-row.gross, row.label, row.key))


def _tender_rows(
    sold_tenders: QuerySet[Tender], returns: QuerySet[SaleReturn]
) -> tuple[list[Row], dict[str, Decimal]]:
    """What each way of paying took in, then what went back out by each refund route.

    A return refunded "to the original payment" is not split by tender: which tender took it
    is decided at refund time, so refunds are their own rows, with negative amounts."""
    rows = [
        Row(
            key=values["method"],
            label=dict(Tender._meta.get_field("method").choices or [])[values["method"]],
            count=values["n"],
            revenue=None,
            tax=None,
            cost=None,
            gross=values["amount"] or ZERO,
        )
        for values in sold_tenders.values("method")
        .annotate(n=Count("sale", distinct=True), amount=Sum("amount"))
        .order_by()
    ]
    refunds = {
        values["refund_method"]: values["total"] or ZERO
        for values in returns.values("refund_method").annotate(total=Sum("total")).order_by()
    }
    labels = dict(RefundMethod.choices)
    for method, total in sorted(refunds.items()):
        rows.append(
            Row(
                key=f"refund:{method}",
                label=f"Refunds ({labels.get(method, method).lower()})",
                revenue=None,
                tax=None,
                cost=None,
                gross=-total,
                returns=total,
            )
        )
    return sorted(
        rows, key=lambda row: (row.key.startswith("refund:"), -row.gross, row.key)
    ), refunds


def sales_summary(*, start: date, end: date, group: str) -> Summary:
    if group not in GROUPS:
        raise ValidationFailed.for_field("group", "invalid", f"Use one of: {', '.join(GROUPS)}.")
    business = current_business()
    tz = business_zone()
    since, until = period_bounds(start, end)
    sold = SaleLine.objects.filter(
        sale__status=SaleStatus.COMPLETED,
        sale__completed_at__gte=since,
        sale__completed_at__lt=until,
    )
    returned = ReturnLine.objects.filter(
        sale_return__created_at__gte=since,
        sale_return__created_at__lt=until,
        sale_line__sale__status=SaleStatus.COMPLETED,
    )
    returns = SaleReturn.objects.filter(
        created_at__gte=since, created_at__lt=until, sale__status=SaleStatus.COMPLETED
    )
    totals = _totals(sold, returned)
    refunds: dict[str, Decimal] = {}
    if group == "tender":
        tenders = Tender.objects.filter(
            status=TenderStatus.SETTLED,
            sale__status=SaleStatus.COMPLETED,
            sale__completed_at__gte=since,
            sale__completed_at__lt=until,
        )
        rows, refunds = _tender_rows(tenders, returns)
    else:
        rows = _line_rows(group, sold, returned, tz)
    return Summary(
        start=start,
        end=end,
        group=group,
        time_zone=business.time_zone,
        currency=business.currency,
        rows=rows,
        totals=totals,
        refunds=refunds,
    )


def _sold_sums() -> dict[str, Any]:
    """What a report adds up over sale lines: sales counted once, quantity, net, tax, gross
    and cost."""
    return {
        "n": Count("sale", distinct=True),
        "q": Sum("quantity"),
        "net": Sum("net"),
        "t": Sum("tax"),
        "g": Sum("gross"),
        "c": Sum("cost"),
    }


def _totals(sold: QuerySet[SaleLine], returned: QuerySet[ReturnLine]) -> Row:
    total = Row(key="total", label="Total")
    values = sold.aggregate(**_sold_sums())
    total.count = values["n"]
    _add(total, values, sign=1, with_quantity=False)
    back = returned.aggregate(
        q=Sum("quantity"),
        net=Sum("net"),
        t=Sum("tax"),
        g=Sum("gross"),
        c=Sum("cost", filter=Q(restock=True)),
    )
    _add(total, back, sign=-1, with_quantity=False)
    total.returns = back["g"] or ZERO
    return total


@dataclass
class Today:
    date: date
    time_zone: str
    currency: str
    totals: Row
    sales_gross: Decimal  # before returns
    average_basket: Decimal | None
    by_tender: dict[str, Decimal]
    refunds: dict[str, Decimal]


def sales_today() -> Today:
    """Where today stands, today being the business's calendar day."""
    day = business_today()
    summary = sales_summary(start=day, end=day, group="tender")
    totals = summary.totals
    sales_gross = totals.gross + totals.returns
    average = None
    if totals.count:
        unit = Decimal(1).scaleb(-minor_unit_exponent(summary.currency))
        average = (sales_gross / totals.count).quantize(unit, rounding=ROUND_HALF_UP)
    by_tender = {row.key: row.gross for row in summary.rows if not row.key.startswith("refund:")}
    return Today(
        date=day,
        time_zone=summary.time_zone,
        currency=summary.currency,
        totals=replace(totals),
        sales_gross=sales_gross,
        average_basket=average,
        by_tender=by_tender,
        refunds=summary.refunds,
    )
