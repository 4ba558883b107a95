"""Forecasts for owners and managers: ask for a training and follow it, read the forecasts with
how far to trust them (MASE beside seasonal naive's), reorder suggestions and the drafts."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas_platform.api.fields import quantity
from saas_platform.api.pagination import list_schema, paginated
from saas_platform.api.shaping import OutputModelSerializer, shown, validated
from saas_platform.api.uploads import CSV_UPLOAD_PARSERS, CSV_UPLOAD_REQUEST, uploaded_csv
from tenant_apps.forecasting.history_import import (
    sales_history_clear,
    sales_history_import,
    sales_history_summary,
)
from tenant_apps.forecasting.models import ForecastRun, ProductForecast
from tenant_apps.forecasting.reorder import latest_run, reorder_draft_orders, reorder_suggestions
from tenant_apps.forecasting.selectors import forecast_list, forecast_run_get, forecast_run_list
from tenant_apps.forecasting.services import forecast_run_request
from tenant_apps.purchasing.api.orders import PurchaseOrderOutputSerializer
from tenant_apps.staff.access import Action


class ForecastRunOutputSerializer(OutputModelSerializer[ForecastRun]):
    requested_by = serializers.EmailField(source="requested_by.email", default=None)

    class Meta:
        model = ForecastRun
        fields = [
            "id", "status", "progress", "step", "requested_by", "horizon_days", "series",
            "fallback_series", "mase", "mase_naive", "error", "created_at", "started_at",
            "finished_at",
        ]  # fmt: skip


class ForecastOutputSerializer(OutputModelSerializer[ProductForecast]):
    product_name = serializers.CharField(source="product.name")
    location_name = serializers.CharField(source="location.name")
    p50 = quantity(help_text="Units expected (the median).")
    p90 = quantity(help_text="Units that nine days in ten stay under.")

    class Meta:
        model = ProductForecast
        fields = [
            "product", "product_name", "location", "location_name", "day", "p50", "p90",
            "method",
        ]  # fmt: skip


class ForecastRunListApi(APIView):
    required_actions = {"GET": Action.FORECASTING_VIEW, "POST": Action.FORECASTING_RUN}

    @list_schema(ForecastRunOutputSerializer, "ForecastRunList", operation_id="forecast_runs")
    def get(self, request: Request) -> Response:
        return paginated(request, forecast_run_list(), ForecastRunOutputSerializer)

    @extend_schema(
        request=None,
        responses={202: ForecastRunOutputSerializer},
        operation_id="forecast_run_request",
        description="Queues a training (or returns the one queued or running). 402 "
        "`plan_limit` when the plan has no forecasting.",
    )
    def post(self, request: Request) -> Response:
        return shown(ForecastRunOutputSerializer, forecast_run_request(actor=request.user),
                     status=202)  # fmt: skip


class ForecastRunDetailApi(APIView):
    required_action = Action.FORECASTING_VIEW

    @extend_schema(responses=ForecastRunOutputSerializer, operation_id="forecast_run_detail")
    def get(self, request: Request, run_id: int) -> Response:
        return shown(ForecastRunOutputSerializer, forecast_run_get(run_id))


class SalesHistorySummarySerializer(serializers.Serializer[Any]):
    days = serializers.IntegerField(help_text="Rows imported: one product, location and day.")
    products = serializers.IntegerField()
    first_day = serializers.DateField(allow_null=True)
    last_day = serializers.DateField(allow_null=True)
    ends_before = serializers.DateField(
        help_text="The business's first day of sales in Duka: imported days end before it."
    )


class SalesHistoryApi(APIView):
    """The sales a business made before Duka, imported as CSV so the forecasts learn from them
    (docs/forecasting.md, "Bringing your history")."""

    required_actions = {
        "GET": Action.FORECASTING_VIEW,
        "POST": Action.FORECASTING_RUN,
        "DELETE": Action.FORECASTING_RUN,
    }
    parser_classes = CSV_UPLOAD_PARSERS

    @extend_schema(responses=SalesHistorySummarySerializer, operation_id="sales_history_summary")
    def get(self, request: Request) -> Response:
        return Response(SalesHistorySummarySerializer(sales_history_summary()).data)

    @extend_schema(
        request=CSV_UPLOAD_REQUEST,
        responses=SalesHistorySummarySerializer,
        operation_id="sales_history_import",
        description="All or nothing: columns date, sku, location (code; blank: the default "
        "shop), units, gross, discount. A day imported again is replaced. 402 `plan_limit` "
        "when the plan has no forecasting.",
    )
    def post(self, request: Request) -> Response:
        summary = sales_history_import(content=uploaded_csv(request))
        return Response(SalesHistorySummarySerializer(summary).data)

    @extend_schema(responses={204: None}, operation_id="sales_history_clear")
    def delete(self, request: Request) -> Response:
        sales_history_clear()
        return Response(status=204)


class ForecastQuerySerializer(serializers.Serializer[Any]):
    product = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    location = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


class ForecastListApi(APIView):
    required_action = Action.FORECASTING_VIEW

    @list_schema(
        ForecastOutputSerializer,
        "ForecastList",
        operation_id="forecast_list",
        parameters=[ForecastQuerySerializer],
        extra={"run": ForecastRunOutputSerializer(allow_null=True)},
    )
    def get(self, request: Request) -> Response:
        query = validated(ForecastQuerySerializer, request.query_params)
        run = latest_run()
        rows = forecast_list(
            run=run, product_id=query.get("product"), location_id=query.get("location")
        )
        # The run beside the rows: its MASE (and seasonal naive's) says how far to trust them.
        run_shown = ForecastRunOutputSerializer(run).data if run else None
        return paginated(request, rows, ForecastOutputSerializer, extra={"run": run_shown})


class ReorderSuggestionSerializer(serializers.Serializer[Any]):
    product_id = serializers.IntegerField()
    product_name = serializers.CharField()
    location_id = serializers.IntegerField()
    location_name = serializers.CharField()
    supplier_id = serializers.IntegerField(allow_null=True)
    supplier_name = serializers.CharField(allow_blank=True)
    lead_time_days = serializers.IntegerField()
    available = quantity()
    on_order = quantity()
    lead_time_demand = quantity(help_text="Sum of the daily p50 over the lead time.")
    safety_stock = quantity(help_text="Sum of p90 minus p50 over the lead time.")
    pack_size = quantity()
    quantity = quantity(help_text="To order: rounded up to whole packs.")


class LocationQuerySerializer(serializers.Serializer[Any]):
    location = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


class ReorderSuggestionListApi(APIView):
    required_action = Action.FORECASTING_VIEW

    @list_schema(
        ReorderSuggestionSerializer,
        "ReorderSuggestionList",
        operation_id="reorder_suggestions",
        parameters=[ForecastQuerySerializer],  # the forecasts' own filters: product, location
    )
    def get(self, request: Request) -> Response:
        query = validated(ForecastQuerySerializer, request.query_params)
        suggestions = reorder_suggestions(
            location_id=query.get("location"), product_id=query.get("product")
        )
        return paginated(request, [asdict(s) for s in suggestions], ReorderSuggestionSerializer)


class ReorderDraftApi(APIView):
    required_action = Action.PURCHASING_MANAGE

    @extend_schema(
        request=LocationQuerySerializer,
        responses={201: PurchaseOrderOutputSerializer(many=True)},
        operation_id="reorder_draft_orders",
        parameters=[OpenApiParameter("location", int, required=False)],
    )
    def post(self, request: Request) -> Response:
        data = validated(LocationQuerySerializer, request.data)
        orders = reorder_draft_orders(actor=request.user, location_id=data.get("location"))
        body = PurchaseOrderOutputSerializer(orders, many=True, context={"request": request})
        return Response(body.data, status=201)
