"""Platform owners' figures: ``/api/v1/console/billing/figures/``, the usage of every business
and reconciliation's open findings."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from billing import figures
from billing.api.console_shared import ConsoleApi, TenantRefSerializer
from saas_platform.api.fields import MoneyField
from saas_platform.api.pagination import list_schema, paginated
from saas_platform.api.period import PlatformPeriodSerializer, requested_period
from saas_platform.api.shaping import shown


class FiguresPeriodSerializer(PlatformPeriodSerializer):
    # Ten years: enough for any look back, and the dates stay far from PostgreSQL's limits.
    longest = 3660


def _rate() -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=6, decimal_places=4, allow_null=True, help_text="A fraction; null: no base."
    )


class RecurringRevenueOutput(serializers.Serializer[Any]):
    currency = serializers.CharField()
    subscriptions = serializers.IntegerField(help_text="Active and past-due subscriptions.")
    base = MoneyField(help_text="Their base fees a month (a yearly fee counts a twelfth).")
    usage_last_month = MoneyField(help_text="Usage invoiced in the last closed month.")
    mrr = MoneyField()
    arr = MoneyField()


class PlanCountOutput(serializers.Serializer[Any]):
    plan = serializers.CharField()
    name = serializers.CharField()
    total = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())


class TenantCountsOutput(serializers.Serializer[Any]):
    by_plan = PlanCountOutput(many=True)
    by_status = serializers.DictField(child=serializers.IntegerField())
    without_subscription = serializers.IntegerField()


class TrialsOutput(serializers.Serializer[Any]):
    ended = serializers.IntegerField()
    converted = serializers.IntegerField()
    not_converted = serializers.IntegerField()
    rate = _rate()


class ChurnOutput(serializers.Serializer[Any]):
    active_at_start = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    rate = _rate()


class GatewayRevenueOutput(serializers.Serializer[Any]):
    gateway = serializers.CharField()
    currency = serializers.CharField()
    invoices = serializers.IntegerField()
    amount = MoneyField()


class FailedAttemptsOutput(serializers.Serializer[Any]):
    gateway = serializers.CharField(help_text="Empty: no payment method was saved.")
    currency = serializers.CharField()
    attempts = serializers.IntegerField()
    invoices = serializers.IntegerField()
    amount = MoneyField()


class PastDueOutput(serializers.Serializer[Any]):
    currency = serializers.CharField()
    invoices = serializers.IntegerField()
    amount = MoneyField()


class FailedPaymentsOutput(serializers.Serializer[Any]):
    attempts = FailedAttemptsOutput(many=True)
    past_due = PastDueOutput(many=True)


class FiguresOutput(serializers.Serializer[Any]):
    start = serializers.DateField()
    end = serializers.DateField()
    recurring_revenue = RecurringRevenueOutput(many=True)
    tenants = TenantCountsOutput()
    trials = TrialsOutput()
    churn = ChurnOutput()
    revenue_by_gateway = GatewayRevenueOutput(many=True)
    failed_payments = FailedPaymentsOutput()
    open_mismatches = serializers.IntegerField()


class FiguresApi(ConsoleApi):
    """MRR and ARR now; businesses by plan and status; trial conversions, churn, revenue by
    gateway and failed payments over the period (UTC days; this month so far by default)."""

    @extend_schema(parameters=[FiguresPeriodSerializer], responses=FiguresOutput)
    def get(self, request: Request) -> Response:
        period = requested_period(request, FiguresPeriodSerializer)
        return shown(FiguresOutput, figures.platform_figures(start=period.start, end=period.end))


class SnapshotOutput(serializers.Serializer[Any]):
    day = serializers.DateField()
    stores = serializers.IntegerField()
    registers = serializers.IntegerField()
    staff_seats = serializers.IntegerField()
    products = serializers.IntegerField()


class TenantUsageOutput(serializers.Serializer[Any]):
    tenant = TenantRefSerializer(source="subscription.tenant")
    plan = serializers.CharField(source="subscription.plan.code")
    status = serializers.CharField(source="subscription.status")
    since = serializers.DateTimeField(help_text="Usage from here on is not invoiced yet.")
    metrics = serializers.DictField(
        child=serializers.DecimalField(max_digits=20, decimal_places=4),
        help_text="Units per metric code (events only: completed sales are counted at billing).",
    )
    snapshot = SnapshotOutput(allow_null=True, help_text="The latest daily snapshot.")


class UsageListApi(ConsoleApi):
    """Each business's usage since it was last invoiced, per metric, and its latest snapshot."""

    @list_schema(TenantUsageOutput, "BillingUsagePage", operation_id="console_billing_usage_list")
    def get(self, request: Request) -> Response:
        now = timezone.now()
        return paginated(
            request,
            figures.usage_subscriptions(),
            TenantUsageOutput,
            prepare=lambda page: figures.usage_rows(page, now=now),
        )


class MismatchOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    found_on = serializers.DateField()
    invoice = serializers.IntegerField(source="invoice.pk")
    invoice_number = serializers.CharField(source="invoice.number", allow_null=True)
    tenant = TenantRefSerializer(source="invoice.tenant")
    ours = serializers.CharField(help_text='Our record: "paid 650000 KES".')
    theirs = serializers.CharField(help_text='The gateway\'s: "no charge", "failed 650000 KES".')
    detail = serializers.CharField()


class MismatchListApi(ConsoleApi):
    """Reconciliation's open findings, newest first."""

    @list_schema(
        MismatchOutput, "BillingMismatchPage", operation_id="console_billing_mismatch_list"
    )
    def get(self, request: Request) -> Response:
        return paginated(request, figures.open_mismatches(), MismatchOutput)
