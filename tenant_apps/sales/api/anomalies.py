"""Anomaly signals for owners: per-cashier rates against the business's norm, and the sales
behind each (tenant_apps/sales/anomalies.py)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas_platform.api.pagination import list_schema, paginated
from saas_platform.api.period import PeriodSerializer, requested_period
from saas_platform.errors import NotFound
from tenant_apps.sales.anomalies import METRICS, anomaly_evidence, anomaly_report
from tenant_apps.sales.reports import MAX_DAYS
from tenant_apps.staff.access import Action


class AnomalyPeriodParams(PeriodSerializer):
    longest = MAX_DAYS


class AnomalyMetricSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    rate = serializers.FloatField(help_text="Per sale the cashier completed in the period.")
    z = serializers.FloatField(
        allow_null=True, help_text="Robust z-score against the cashiers' norm (null: no norm)."
    )
    flagged = serializers.BooleanField()


def _per_metric(field: type[serializers.Field[Any, Any, Any, Any]], **kwargs: Any) -> type:
    return type(
        f"AnomalyPer{field.__name__}",
        (serializers.Serializer,),
        {metric: field(**kwargs) for metric in METRICS},
    )


AnomalyNormSerializer = _per_metric(serializers.FloatField)


class AnomalyMetricsSerializer(serializers.Serializer[Any]):
    voids = AnomalyMetricSerializer()
    refunds = AnomalyMetricSerializer()
    discounts = AnomalyMetricSerializer()
    price_overrides = AnomalyMetricSerializer()
    no_sales = AnomalyMetricSerializer()


class AnomalyCashierSerializer(serializers.Serializer[Any]):
    cashier_id = serializers.IntegerField()
    email = serializers.EmailField(allow_blank=True)
    name = serializers.CharField(allow_blank=True)
    sales = serializers.IntegerField(help_text="Sales completed in the period.")
    flagged = serializers.ListField(child=serializers.ChoiceField(choices=METRICS))
    metrics = AnomalyMetricsSerializer()


class AnomalyReportSerializer(serializers.Serializer[Any]):
    start = serializers.DateField()
    end = serializers.DateField()
    norm = AnomalyNormSerializer(help_text="The median rate of each metric.")
    cashiers = AnomalyCashierSerializer(many=True)


class AnomalyEvidenceSerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    sale_uuid = serializers.UUIDField(allow_null=True)
    receipt_number = serializers.IntegerField(allow_null=True)
    amount = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    detail = serializers.CharField()


class AnomalyReportApi(APIView):
    required_action = Action.SALES_ANOMALIES

    @extend_schema(
        parameters=[AnomalyPeriodParams],
        responses=AnomalyReportSerializer,
        operation_id="sales_anomaly_report",
    )
    def get(self, request: Request) -> Response:
        period = requested_period(request, AnomalyPeriodParams)
        report = anomaly_report(start=period.start, end=period.end)
        body = {
            "start": report.start,
            "end": report.end,
            "norm": report.norm,
            "cashiers": [
                {
                    **asdict(c),
                    "flagged": c.flagged,
                    "metrics": {name: asdict(signal) for name, signal in c.metrics.items()},
                }
                for c in report.cashiers
            ],
        }
        return Response(AnomalyReportSerializer(body).data)


class AnomalyEvidenceApi(APIView):
    required_action = Action.SALES_ANOMALIES

    @list_schema(
        AnomalyEvidenceSerializer,
        "AnomalyEvidenceList",
        parameters=[AnomalyPeriodParams],
        operation_id="sales_anomaly_evidence",
    )
    def get(self, request: Request, cashier_id: int, metric: str) -> Response:
        if metric not in METRICS:
            raise NotFound(f"No anomaly metric {metric!r}.", code="metric_not_found")
        period = requested_period(request, AnomalyPeriodParams)
        evidence = anomaly_evidence(
            cashier_id=cashier_id, metric=metric, start=period.start, end=period.end
        )
        return paginated(request, evidence, AnomalyEvidenceSerializer)
