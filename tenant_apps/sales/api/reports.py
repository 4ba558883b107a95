"""Sales reports: a period summary grouped as asked (JSON or CSV), and today at a glance."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from moneyed import Money
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas_platform.api.fields import MoneyField, quantity
from saas_platform.api.period import PeriodSerializer, period_of
from saas_platform.api.renderers import CSVRenderer, download, requested_format
from saas_platform.api.shaping import validated
from tenant_apps.sales.reports import (
    GROUPS,
    MAX_DAYS,
    Row,
    Summary,
    sales_summary,
    sales_today,
)
from tenant_apps.staff.access import Action


def _money(value: Decimal | None, currency: str) -> dict[str, str] | None:
    if value is None:
        return None
    return MoneyField().to_representation(Money(value, currency))


def _row(row: Row, currency: str) -> dict[str, Any]:
    return {
        "key": row.key,
        "label": row.label,
        "count": row.count,
        "quantity": None if row.quantity is None else f"{row.quantity.normalize():f}",
        "revenue": _money(row.revenue, currency),
        "tax": _money(row.tax, currency),
        "gross": _money(row.gross, currency),
        "cost": _money(row.cost, currency),
        "profit": _money(row.profit, currency),
        "margin": None if row.margin is None else f"{row.margin:f}",
        "returns": _money(row.returns, currency),
    }


class ReportRowSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(help_text="Date, hour, id, tender method or refund:<method>.")
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField(help_text="Sales (returns do not change it).")
    quantity = quantity(allow_null=True, help_text="Product and category only.")
    revenue = MoneyField(allow_null=True, help_text="Net of tax, returns subtracted.")
    tax = MoneyField(allow_null=True)
    gross = MoneyField(help_text="What customers paid, returns subtracted.")
    cost = MoneyField(allow_null=True)
    profit = MoneyField(allow_null=True, help_text="Revenue minus cost.")
    margin = serializers.DecimalField(
        max_digits=9, decimal_places=2, allow_null=True, help_text="Profit / revenue, in %."
    )
    returns = MoneyField(help_text="Gross value of the returns already subtracted.")


class SummaryParams(PeriodSerializer):
    longest = MAX_DAYS

    group = serializers.ChoiceField(choices=GROUPS, required=False, default="day")


class SummaryOutputSerializer(serializers.Serializer[Any]):
    start = serializers.DateField()
    end = serializers.DateField()
    group = serializers.CharField()
    time_zone = serializers.CharField()
    currency = serializers.CharField()
    rows = ReportRowSerializer(many=True)
    totals = ReportRowSerializer()


CSV_COLUMNS = [
    "key",
    "label",
    "count",
    "quantity",
    "revenue",
    "tax",
    "gross",
    "cost",
    "profit",
    "margin",
    "returns",
]


def summary_rows(summary: Summary) -> list[list[Any]]:
    """The summary as CSV rows: the header, a row a line, then the total."""
    rows: list[list[Any]] = [CSV_COLUMNS]
    for row in [*summary.rows, summary.totals]:
        values = [
            row.key,
            row.label,
            row.count,
            row.quantity,
            row.revenue,
            row.tax,
            row.gross,
            row.cost,
            row.profit,
            row.margin,
            row.returns,
        ]
        rows.append(
            ["" if v is None else f"{v.normalize():f}" if isinstance(v, Decimal) else v
             for v in values]
        )  # fmt: skip
    return rows


class SalesSummaryApi(APIView):
    """Sales over a period (at most 366 days), grouped by day, hour, cashier, product, category,
    tender or till. Days and hours are the business's; returns count when they happen."""

    required_action = Action.REPORTS_VIEW
    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(
        operation_id="sales_report_summary",
        parameters=[SummaryParams, OpenApiParameter("format", str, enum=["json", "csv"])],
        responses={
            (200, "application/json"): SummaryOutputSerializer,
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="One row a line"),
        },
    )
    def get(self, request: Request) -> Response:
        data = validated(SummaryParams, request.query_params)
        start, end = period_of(data)
        summary = sales_summary(start=start, end=end, group=data["group"])
        if requested_format(request) == "csv":
            name = f"sales-{summary.group}-{start:%Y%m%d}-{end:%Y%m%d}.csv"
            return download(summary_rows(summary), filename=name)
        return Response(
            {
                "start": summary.start,
                "end": summary.end,
                "group": summary.group,
                "time_zone": summary.time_zone,
                "currency": summary.currency,
                "rows": [_row(row, summary.currency) for row in summary.rows],
                "totals": _row(summary.totals, summary.currency),
            }
        )


class TodayOutputSerializer(serializers.Serializer[Any]):
    date = serializers.DateField()
    time_zone = serializers.CharField()
    sales_count = serializers.IntegerField()
    sales_total = MoneyField(help_text="What the day's sales came to, before returns.")
    returns_total = MoneyField()
    net_total = MoneyField(help_text="Sales total minus returns.")
    revenue = MoneyField(help_text="Net of tax, returns subtracted.")
    tax = MoneyField()
    cost = MoneyField()
    gross_profit = MoneyField()
    margin = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
    average_basket = MoneyField(allow_null=True)
    by_tender = serializers.DictField(child=MoneyField())
    refunds = serializers.DictField(child=MoneyField())


class SalesTodayApi(APIView):
    required_action = Action.REPORTS_VIEW

    @extend_schema(operation_id="sales_report_today", responses=TodayOutputSerializer)
    def get(self, request: Request) -> Response:
        today = sales_today()
        totals, currency = today.totals, today.currency
        return Response(
            {
                "date": today.date,
                "time_zone": today.time_zone,
                "sales_count": totals.count,
                "sales_total": _money(today.sales_gross, currency),
                "returns_total": _money(totals.returns, currency),
                "net_total": _money(totals.gross, currency),
                "revenue": _money(totals.revenue, currency),
                "tax": _money(totals.tax, currency),
                "cost": _money(totals.cost, currency),
                "gross_profit": _money(totals.profit, currency),
                "margin": None if totals.margin is None else f"{totals.margin:f}",
                "average_basket": _money(today.average_basket, currency),
                "by_tender": {k: _money(v, currency) for k, v in today.by_tender.items()},
                "refunds": {k: _money(v, currency) for k, v in today.refunds.items()},
            }
        )
