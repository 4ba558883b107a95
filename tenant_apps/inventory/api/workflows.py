"""Transfers, stock counts, reservations and alerts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas_platform.api.fields import quantity
from saas_platform.api.pagination import list_schema, paginated
from saas_platform.api.shaping import OutputModelSerializer, or_404, shown, validated
from saas_platform.errors import ValidationFailed
from tenant_apps.catalog.api.serializers import CostField, ProductRefSerializer
from tenant_apps.inventory.api.common import (
    LinesInputSerializer,
    location_or_400,
    product_or_400,
)
from tenant_apps.inventory.models import (
    Reservation,
    StockAlert,
    StockCount,
    StockCountLine,
    Transfer,
    TransferLine,
)
from tenant_apps.inventory.selectors import (
    alert_list,
    count_get,
    reservation_list,
    transfer_get,
    transfer_list,
)
from tenant_apps.inventory.services import (
    count_cancel,
    count_complete,
    count_open,
    count_record,
    reservation_create,
    reservation_release,
    stock_alert_resolve,
    transfer_cancel,
    transfer_create,
    transfer_dispatch,
    transfer_receive,
)
from tenant_apps.staff.access import Action

# --- Transfers ------------------------------------------------------------------------------


class TransferLineOutputSerializer(OutputModelSerializer[TransferLine]):
    product = ProductRefSerializer()
    unit_cost = CostField()  # only for roles that may see costs (catalog.view_costs)

    class Meta:
        model = TransferLine
        fields = ["product", "quantity", "quantity_received", "unit_cost"]


class TransferOutputSerializer(OutputModelSerializer[Transfer]):
    from_location = serializers.CharField(source="source.code")
    to_location = serializers.CharField(source="destination.code")
    lines = TransferLineOutputSerializer(many=True)

    class Meta:
        model = Transfer
        fields = [
            "id", "from_location", "to_location", "status", "note", "lines",
            "created_at", "dispatched_at", "received_at",
        ]  # fmt: skip


class TransferListCreateApi(APIView):
    required_actions = {"GET": Action.INVENTORY_VIEW, "POST": Action.INVENTORY_MANAGE}

    class InputSerializer(serializers.Serializer[Any]):
        from_location = serializers.IntegerField()
        to_location = serializers.IntegerField()
        note = serializers.CharField(max_length=500, required=False, default="")
        lines = LinesInputSerializer(many=True, allow_empty=False)

    @list_schema(TransferOutputSerializer, "TransferList", operation_id="inventory_transfers_list")
    def get(self, request: Request) -> Response:
        return paginated(request, transfer_list(), TransferOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: TransferOutputSerializer})
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        transfer = transfer_create(
            source=location_or_400(data["from_location"], "from_location"),
            destination=location_or_400(data["to_location"], "to_location"),
            lines=[
                (product_or_400(line["product"], f"lines[{i}].product"), line["quantity"])
                for i, line in enumerate(data["lines"])
            ],
            note=data["note"],
            actor=request.user,
        )
        return Response(
            TransferOutputSerializer(transfer_get(transfer.pk), context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class TransferDetailApi(APIView):
    required_action = Action.INVENTORY_VIEW

    @extend_schema(responses=TransferOutputSerializer)
    def get(self, request: Request, transfer_id: int) -> Response:
        return shown(TransferOutputSerializer, transfer_get(transfer_id), request=request)


class TransferDispatchApi(APIView):
    required_action = Action.INVENTORY_MANAGE

    @extend_schema(request=None, responses=TransferOutputSerializer)
    def post(self, request: Request, transfer_id: int) -> Response:
        transfer_dispatch(transfer_id=transfer_id, actor=request.user)
        return shown(TransferOutputSerializer, transfer_get(transfer_id), request=request)


class TransferReceiveApi(APIView):
    """Receives everything still in transit, or just the given lines (a partial receipt)."""

    required_action = Action.INVENTORY_MANAGE

    class InputSerializer(serializers.Serializer[Any]):
        lines = LinesInputSerializer(many=True, required=False)

    @extend_schema(request=InputSerializer, responses=TransferOutputSerializer)
    def post(self, request: Request, transfer_id: int) -> Response:
        data = validated(self.InputSerializer, request.data)
        lines = data.get("lines")
        received: dict[int, Decimal] | None = None
        if lines is not None:
            received = {}
            for line in lines:
                received[line["product"]] = (
                    received.get(line["product"], Decimal(0)) + line["quantity"]
                )
        transfer_receive(transfer_id=transfer_id, received=received, actor=request.user)
        return shown(TransferOutputSerializer, transfer_get(transfer_id), request=request)


class TransferCancelApi(APIView):
    required_action = Action.INVENTORY_MANAGE

    @extend_schema(request=None, responses=TransferOutputSerializer)
    def post(self, request: Request, transfer_id: int) -> Response:
        transfer_cancel(transfer_id=transfer_id)
        return shown(TransferOutputSerializer, transfer_get(transfer_id), request=request)


# --- Stock counts ---------------------------------------------------------------------------


class CountLineOutputSerializer(OutputModelSerializer[StockCountLine]):
    product = ProductRefSerializer()

    class Meta:
        model = StockCountLine
        fields = ["product", "expected", "counted", "variance"]

    def to_representation(self, line: StockCountLine) -> dict[str, Any]:
        data = super().to_representation(line)
        if self.context.get("hide_expected"):
            # Blind counting: counters must not see what the system expects.
            data.pop("expected")
        return data


class CountOutputSerializer(OutputModelSerializer[StockCount]):
    location = serializers.CharField(source="location.code")
    lines = serializers.SerializerMethodField()

    class Meta:
        model = StockCount
        fields = [
            "id",
            "location",
            "status",
            "blind",
            "note",
            "lines",
            "created_at",
            "completed_at",
        ]

    def get_lines(self, count: StockCount) -> list[dict[str, Any]]:
        hide = count.blind and count.status == "open"
        return CountLineOutputSerializer(
            count.lines.all(), many=True, context={"hide_expected": hide}
        ).data  # type: ignore[return-value]


def _count(count_id: int) -> StockCount:
    return or_404(count_get(count_id), "No such stock count.")


class CountCreateApi(APIView):
    required_action = Action.INVENTORY_MANAGE

    class InputSerializer(serializers.Serializer[Any]):
        location = serializers.IntegerField()
        products = serializers.ListField(child=serializers.IntegerField(), required=False)
        blind = serializers.BooleanField(default=True)
        note = serializers.CharField(max_length=500, required=False, default="")

    @extend_schema(request=InputSerializer, responses={201: CountOutputSerializer})
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        products = (
            [product_or_400(pk, f"products[{i}]") for i, pk in enumerate(data["products"])]
            if "products" in data
            else None
        )
        count = count_open(
            location=location_or_400(data["location"]),
            products=products,
            blind=data["blind"],
            note=data["note"],
            actor=request.user,
        )
        return Response(CountOutputSerializer(_count(count.pk)).data, status=201)


class CountDetailApi(APIView):
    required_action = Action.INVENTORY_VIEW

    @extend_schema(responses=CountOutputSerializer)
    def get(self, request: Request, count_id: int) -> Response:
        return shown(CountOutputSerializer, _count(count_id))


class CountRecordApi(APIView):
    required_action = Action.INVENTORY_MANAGE

    class InputSerializer(serializers.Serializer[Any]):
        lines = inline_serializer(
            "CountedLine",
            {"product": serializers.IntegerField(), "counted": quantity()},
            many=True,
            allow_empty=False,
        )

    @extend_schema(request=InputSerializer, responses=CountOutputSerializer)
    def post(self, request: Request, count_id: int) -> Response:
        data = validated(self.InputSerializer, request.data)
        counted = {line["product"]: line["counted"] for line in data["lines"]}
        count_record(count_id=count_id, counted=counted)
        return shown(CountOutputSerializer, _count(count_id))


class CountCompleteApi(APIView):
    required_action = Action.INVENTORY_MANAGE

    @extend_schema(request=None, responses=CountOutputSerializer)
    def post(self, request: Request, count_id: int) -> Response:
        count_complete(count_id=count_id, actor=request.user)
        return shown(CountOutputSerializer, _count(count_id))


class CountCancelApi(APIView):
    required_action = Action.INVENTORY_MANAGE

    @extend_schema(request=None, responses=CountOutputSerializer)
    def post(self, request: Request, count_id: int) -> Response:
        count_cancel(count_id=count_id)
        return shown(CountOutputSerializer, _count(count_id))


# --- Reservations and alerts ----------------------------------------------------------------


class ReservationOutputSerializer(OutputModelSerializer[Reservation]):
    product = ProductRefSerializer()
    location = serializers.CharField(source="location.code")

    class Meta:
        model = Reservation
        fields = [
            "id", "product", "location", "quantity", "status", "reference",
            "expires_at", "created_at", "closed_at",
        ]  # fmt: skip


class ReservationListCreateApi(APIView):
    required_actions = {"GET": Action.INVENTORY_VIEW, "POST": Action.INVENTORY_MANAGE}

    class InputSerializer(serializers.Serializer[Any]):
        product = serializers.IntegerField()
        location = serializers.IntegerField()
        quantity = quantity()
        reference = serializers.CharField(max_length=120, required=False, default="")
        expires_at = serializers.DateTimeField(required=False)
        expires_in_minutes = serializers.IntegerField(
            required=False, min_value=1, max_value=60 * 24 * 90
        )

    @list_schema(
        ReservationOutputSerializer, "ReservationList", operation_id="inventory_reservations_list"
    )
    def get(self, request: Request) -> Response:
        active = request.query_params.get("status") == "active"
        return paginated(request, reservation_list(active_only=active), ReservationOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: ReservationOutputSerializer})
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        if "expires_at" in data:
            expires_at = data["expires_at"]
        elif "expires_in_minutes" in data:
            expires_at = timezone.now() + timedelta(minutes=data["expires_in_minutes"])
        else:
            raise ValidationFailed.for_field(
                "expires_at", "required", "Give expires_at or expires_in_minutes."
            )
        reservation = reservation_create(
            product=product_or_400(data["product"]),
            location=location_or_400(data["location"]),
            quantity=data["quantity"],
            expires_at=expires_at,
            reference=data["reference"],
            actor=request.user,
        )
        return Response(ReservationOutputSerializer(reservation).data, status=201)


class ReservationReleaseApi(APIView):
    required_action = Action.INVENTORY_MANAGE

    @extend_schema(request=None, responses=ReservationOutputSerializer)
    def post(self, request: Request, reservation_id: int) -> Response:
        return Response(
            ReservationOutputSerializer(reservation_release(reservation_id=reservation_id)).data
        )


class AlertOutputSerializer(OutputModelSerializer[StockAlert]):
    product = ProductRefSerializer()
    location = serializers.CharField(source="location.code")

    class Meta:
        model = StockAlert
        fields = [
            "id", "kind", "status", "product", "location", "batch", "message",
            "created_at", "resolved_at",
        ]  # fmt: skip


class AlertListApi(APIView):
    required_action = Action.INVENTORY_VIEW

    @list_schema(AlertOutputSerializer, "AlertList")
    def get(self, request: Request) -> Response:
        alerts = alert_list(status=request.query_params.get("status", ""))
        return paginated(request, alerts, AlertOutputSerializer)


class AlertResolveApi(APIView):
    required_action = Action.INVENTORY_MANAGE

    @extend_schema(request=None, responses=AlertOutputSerializer)
    def post(self, request: Request, alert_id: int) -> Response:
        return Response(AlertOutputSerializer(stock_alert_resolve(alert_id=alert_id)).data)
