"""Purchase orders and the goods received against them."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas_platform.api.fields import MoneyField, amount, quantity
from saas_platform.api.pagination import list_schema, paginated
from saas_platform.api.query import query_id
from saas_platform.api.shaping import OutputModelSerializer, or_404, shown, validated
from tenant_apps.catalog.api.serializers import ProductRefSerializer
from tenant_apps.inventory.api.common import LocationRefSerializer
from tenant_apps.purchasing.api.common import SupplierRefSerializer
from tenant_apps.purchasing.models import (
    GoodsReceipt,
    GoodsReceiptLine,
    OrderStatus,
    PurchaseOrder,
    PurchaseOrderLine,
)
from tenant_apps.purchasing.selectors import (
    goods_receipt_get,
    goods_receipt_list,
    purchase_order_get,
    purchase_order_list,
)
from tenant_apps.purchasing.services import (
    OrderLineInput,
    ReceiptLineInput,
    goods_receipt_create,
    purchase_order_cancel,
    purchase_order_close,
    purchase_order_create,
    purchase_order_place,
    purchase_order_update,
)
from tenant_apps.staff.access import Action


class PurchaseOrderLineOutputSerializer(OutputModelSerializer[PurchaseOrderLine]):
    product = ProductRefSerializer()
    unit_cost = MoneyField()
    quantity_outstanding = quantity()

    class Meta:
        model = PurchaseOrderLine
        fields = [
            "id", "product", "quantity_ordered", "quantity_received", "quantity_outstanding",
            "unit_cost",
        ]  # fmt: skip


class PurchaseOrderOutputSerializer(OutputModelSerializer[PurchaseOrder]):
    supplier = SupplierRefSerializer()
    destination = LocationRefSerializer()
    created_by = serializers.EmailField(source="created_by.email", allow_null=True, default=None)
    lines = PurchaseOrderLineOutputSerializer(many=True)

    class Meta:
        model = PurchaseOrder
        fields = [
            "id", "reference", "supplier", "destination", "status", "expected_on", "note",
            "created_by", "created_at", "ordered_at", "closed_at", "lines",
        ]  # fmt: skip


class OrderLineInputSerializer(serializers.Serializer[Any]):
    product = serializers.IntegerField()
    quantity = quantity()
    unit_cost = amount(
        required=False, allow_null=True, help_text="Leave out for the product's standard cost."
    )


def _order_lines(data: list[dict[str, Any]]) -> list[OrderLineInput]:
    return [
        OrderLineInput(
            product_id=line["product"], quantity=line["quantity"], unit_cost=line.get("unit_cost")
        )
        for line in data
    ]


def _order_or_404(order_id: int) -> PurchaseOrder:
    return or_404(purchase_order_get(order_id), "No such purchase order.")


def _shown(order: PurchaseOrder) -> dict[str, Any]:
    # Reloaded with its lines and names: a service returns the bare row it changed.
    return dict(PurchaseOrderOutputSerializer(_order_or_404(order.pk)).data)


class PurchaseOrderListCreateApi(APIView):
    required_actions = {"GET": Action.PURCHASING_VIEW, "POST": Action.PURCHASING_MANAGE}

    class InputSerializer(serializers.Serializer[Any]):
        supplier = serializers.IntegerField()
        destination = serializers.IntegerField(help_text="The location the goods go to.")
        expected_on = serializers.DateField(
            required=False, allow_null=True, help_text="Leave out: today + the lead time."
        )
        note = serializers.CharField(max_length=500, required=False, allow_blank=True)
        lines = OrderLineInputSerializer(many=True, required=False)

    @list_schema(
        PurchaseOrderOutputSerializer,
        "PurchaseOrderList",
        operation_id="purchasing_orders_list",
        parameters=[
            OpenApiParameter("status", str, enum=OrderStatus.values),
            OpenApiParameter("supplier", int),
        ],
    )
    def get(self, request: Request) -> Response:
        orders = purchase_order_list(
            status=request.query_params.get("status") or None,
            supplier_id=query_id(request, "supplier"),
        )
        return paginated(request, orders, PurchaseOrderOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: PurchaseOrderOutputSerializer})
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        order = purchase_order_create(
            supplier_id=data["supplier"],
            destination_id=data["destination"],
            lines=_order_lines(data.get("lines", [])),
            expected_on=data.get("expected_on"),
            note=data.get("note", ""),
            actor=request.user,
        )
        return Response(_shown(order), status=status.HTTP_201_CREATED)


class PurchaseOrderDetailApi(APIView):
    required_actions = {"GET": Action.PURCHASING_VIEW, "PATCH": Action.PURCHASING_MANAGE}

    class InputSerializer(serializers.Serializer[Any]):
        destination = serializers.IntegerField(required=False)
        expected_on = serializers.DateField(required=False, allow_null=True)
        note = serializers.CharField(max_length=500, required=False, allow_blank=True)
        lines = OrderLineInputSerializer(
            many=True, required=False, help_text="Replaces all lines of the draft."
        )

    @extend_schema(responses=PurchaseOrderOutputSerializer)
    def get(self, request: Request, order_id: int) -> Response:
        return shown(PurchaseOrderOutputSerializer, _order_or_404(order_id))

    @extend_schema(request=InputSerializer, responses=PurchaseOrderOutputSerializer)
    def patch(self, request: Request, order_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "destination" in data:
            data["destination_id"] = data.pop("destination")
        if "lines" in data:
            data["lines"] = _order_lines(data["lines"])
        order = purchase_order_update(order_id=order_id, data=data)
        return Response(_shown(order))


class PurchaseOrderPlaceApi(APIView):
    required_action = Action.PURCHASING_MANAGE

    @extend_schema(request=None, responses=PurchaseOrderOutputSerializer)
    def post(self, request: Request, order_id: int) -> Response:
        return Response(_shown(purchase_order_place(order_id=order_id)))


class PurchaseOrderCancelApi(APIView):
    required_action = Action.PURCHASING_MANAGE

    @extend_schema(request=None, responses=PurchaseOrderOutputSerializer)
    def post(self, request: Request, order_id: int) -> Response:
        return Response(_shown(purchase_order_cancel(order_id=order_id)))


class PurchaseOrderCloseApi(APIView):
    required_action = Action.PURCHASING_MANAGE

    @extend_schema(request=None, responses=PurchaseOrderOutputSerializer)
    def post(self, request: Request, order_id: int) -> Response:
        return Response(_shown(purchase_order_close(order_id=order_id)))


class GoodsReceiptLineOutputSerializer(OutputModelSerializer[GoodsReceiptLine]):
    order_line = serializers.IntegerField(source="order_line_id")
    product = ProductRefSerializer(source="order_line.product")
    unit_cost = MoneyField()
    batch = serializers.IntegerField(source="batch_id")

    class Meta:
        model = GoodsReceiptLine
        fields = [
            "id", "order_line", "product", "quantity", "unit_cost", "lot_code", "expires_on",
            "batch",
        ]  # fmt: skip


class GoodsReceiptOutputSerializer(OutputModelSerializer[GoodsReceipt]):
    order = serializers.CharField(source="order.reference")
    created_by = serializers.EmailField(source="created_by.email", allow_null=True, default=None)
    lines = GoodsReceiptLineOutputSerializer(many=True)

    class Meta:
        model = GoodsReceipt
        fields = [
            "id", "reference", "order", "received_at", "delivery_note", "idempotency_key",
            "created_by", "created_at", "lines",
        ]  # fmt: skip


class GoodsReceiptListCreateApi(APIView):
    required_actions = {"GET": Action.PURCHASING_VIEW, "POST": Action.PURCHASING_MANAGE}

    class InputSerializer(serializers.Serializer[Any]):
        class LineSerializer(serializers.Serializer[Any]):
            line = serializers.IntegerField(help_text="The purchase order line's id.")
            quantity = quantity()
            unit_cost = amount(
                required=False, allow_null=True, help_text="Leave out for the order line's cost."
            )
            lot_code = serializers.CharField(max_length=64, required=False, allow_blank=True)
            expires_on = serializers.DateField(required=False, allow_null=True)

        lines = LineSerializer(many=True, allow_empty=False)
        delivery_note = serializers.CharField(max_length=100, required=False, allow_blank=True)
        received_at = serializers.DateTimeField(required=False, allow_null=True)
        idempotency_key = serializers.CharField(
            max_length=100,
            required=False,
            allow_null=True,
            help_text="Send the same key when retrying: the goods are received once and the "
            "first receipt is returned again.",
        )

    @list_schema(
        GoodsReceiptOutputSerializer, "GoodsReceiptList", operation_id="purchasing_receipts_list"
    )
    def get(self, request: Request, order_id: int) -> Response:
        _order_or_404(order_id)
        receipts = goods_receipt_list(order_id=order_id)
        return paginated(request, receipts, GoodsReceiptOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: GoodsReceiptOutputSerializer})
    def post(self, request: Request, order_id: int) -> Response:
        data = validated(self.InputSerializer, request.data)
        receipt, created = goods_receipt_create(
            order_id=order_id,
            lines=[
                ReceiptLineInput(
                    line_id=line["line"],
                    quantity=line["quantity"],
                    unit_cost=line.get("unit_cost"),
                    lot_code=line.get("lot_code", ""),
                    expires_on=line.get("expires_on"),
                )
                for line in data["lines"]
            ],
            delivery_note=data.get("delivery_note", ""),
            received_at=data.get("received_at"),
            idempotency_key=data.get("idempotency_key"),
            actor=request.user,
        )
        body = GoodsReceiptOutputSerializer(goods_receipt_get(receipt.pk)).data
        response = Response(body, status=status.HTTP_201_CREATED)
        if not created:
            # Same status and body as the first time, so a retrying client cannot tell apart
            # a lost response from a fresh one; the header says it for those who care.
            response["Idempotent-Replayed"] = "true"
        return response
