"""Statements (JSON, CSV, PDF), the overdue list, and the loyalty programme's settings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas_platform.api.fields import MoneyField, amount
from saas_platform.api.period import PeriodSerializer, requested_period
from saas_platform.api.renderers import CSVRenderer, PDFRenderer, download, requested_format
from saas_platform.api.shaping import validated
from tenant_apps.customers.api.customers import (
    CreditEntryOutputSerializer,
    CustomerOutputSerializer,
    as_money,
    customer_or_404,
    customer_out,
)
from tenant_apps.customers.selectors import (
    AGING_BUCKETS,
    loyalty_settings_get,
    overdue_list,
    statement,
)
from tenant_apps.customers.services import loyalty_settings_set
from tenant_apps.customers.statements import statement_pdf, statement_rows
from tenant_apps.staff.access import Action


class CustomerStatementApi(APIView):
    """The account over a period: opening balance, every entry, closing balance.

    ``?format=csv`` gives a spreadsheet, ``?format=pdf`` a printable statement.
    """

    required_action = Action.CUSTOMERS_VIEW
    renderer_classes = [JSONRenderer, CSVRenderer, PDFRenderer]

    @extend_schema(
        operation_id="customers_statement",
        parameters=[
            PeriodSerializer,
            OpenApiParameter("format", str, enum=["json", "csv", "pdf"]),
        ],
        responses={
            200: OpenApiResponse(
                inline_serializer(
                    "CustomerStatement",
                    {
                        "customer": CustomerOutputSerializer(),
                        "start": serializers.DateField(),
                        "end": serializers.DateField(),
                        "opening_balance": MoneyField(),
                        "charges": MoneyField(),
                        "credits": MoneyField(),
                        "closing_balance": MoneyField(),
                        "entries": CreditEntryOutputSerializer(many=True),
                    },
                ),
                description="JSON; CSV or PDF with ?format=",
            )
        },
    )
    def get(self, request: Request, customer_id: int) -> Response:
        customer = customer_or_404(customer_id)
        start, end = requested_period(request)
        report = statement(customer=customer, start=start, end=end)
        name = f"statement-{customer.code}-{start:%Y%m%d}-{end:%Y%m%d}"
        chosen = requested_format(request)
        if chosen == "csv":
            return download(statement_rows(report), filename=f"{name}.csv")
        if chosen == "pdf":
            return download(statement_pdf(report), filename=f"{name}.pdf", inline=True)
        return Response(
            {
                "customer": customer_out(customer),
                "start": start,
                "end": end,
                "opening_balance": MoneyField().to_representation(report.opening),
                "charges": MoneyField().to_representation(report.charges),
                "credits": MoneyField().to_representation(report.credits),
                "closing_balance": MoneyField().to_representation(report.closing),
                "entries": CreditEntryOutputSerializer(report.entries, many=True).data,
            }
        )


def _money(value: Decimal) -> dict[str, str] | None:
    return MoneyField().to_representation(as_money(value))


def _buckets(name: str) -> Any:
    return inline_serializer(name, {bucket: MoneyField() for bucket in AGING_BUCKETS})


class OverdueApi(APIView):
    """Customers with charges past due and unpaid (payments settle the oldest charges first),
    aged by days past the due date."""

    required_action = Action.CUSTOMERS_VIEW

    @extend_schema(
        operation_id="customers_overdue",
        responses=inline_serializer(
            "CustomersOverdue",
            {
                "as_of": serializers.DateField(help_text="Today in the business's time zone."),
                "total_overdue": MoneyField(),
                "buckets": _buckets("CustomersOverdueBuckets"),
                "customers": inline_serializer(
                    "CustomerOverdue",
                    {
                        "customer": inline_serializer(
                            "CustomerOverdueRef",
                            {
                                "id": serializers.IntegerField(),
                                "code": serializers.CharField(),
                                "name": serializers.CharField(),
                                "phone": serializers.CharField(),
                            },
                        ),
                        "balance": MoneyField(),
                        "overdue": MoneyField(),
                        "not_yet_due": MoneyField(),
                        "days_overdue": serializers.IntegerField(),
                        "oldest_due_on": serializers.DateField(),
                        "buckets": _buckets("CustomerOverdueBuckets"),
                    },
                    many=True,
                ),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        report = overdue_list()
        return Response(
            {
                "as_of": report.as_of,
                "total_overdue": _money(report.total_overdue),
                "buckets": {b: _money(v) for b, v in report.buckets.items()},
                "customers": [
                    {
                        "customer": {
                            "id": row.customer.pk,
                            "code": row.customer.code,
                            "name": row.customer.name,
                            "phone": row.customer.phone,
                        },
                        "balance": _money(row.balance),
                        "overdue": _money(row.overdue),
                        "not_yet_due": _money(row.not_yet_due),
                        "days_overdue": row.days_overdue,
                        "oldest_due_on": row.oldest_due_on,
                        "buckets": {b: _money(v) for b, v in row.buckets.items()},
                    }
                    for row in report.customers
                ],
            }
        )


class LoyaltySettingsApi(APIView):
    required_actions = {"GET": Action.CUSTOMERS_VIEW, "PUT": Action.CUSTOMERS_MANAGE}

    class InputSerializer(serializers.Serializer[Any]):
        enabled = serializers.BooleanField()
        points_per_unit = serializers.DecimalField(
            max_digits=10,
            decimal_places=4,
            min_value=Decimal(0),
            help_text="Points per 1 unit of currency spent (0.01 = a point per 100).",
        )
        point_value = amount(min_value=Decimal(0), help_text="What one point is worth.")

    class OutputSerializer(serializers.Serializer[Any]):
        enabled = serializers.BooleanField()
        points_per_unit = serializers.DecimalField(max_digits=10, decimal_places=4)
        point_value = MoneyField()

    @extend_schema(operation_id="customers_loyalty_settings_get", responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(loyalty_settings_get()).data)

    @extend_schema(
        operation_id="customers_loyalty_settings_set",
        request=InputSerializer,
        responses=OutputSerializer,
    )
    def put(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        settings = loyalty_settings_set(
            enabled=data["enabled"],
            points_per_unit=data["points_per_unit"],
            point_value=as_money(data["point_value"]),
        )
        return Response(self.OutputSerializer(settings).data)
