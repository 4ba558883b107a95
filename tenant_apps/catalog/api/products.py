"""Products and variants, their barcodes, list prices and image; scanner lookup; CSV in and out."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas_platform.api import fields as api_fields
from saas_platform.api.fields import MoneyField
from saas_platform.api.pagination import list_schema, paginated
from saas_platform.api.renderers import file_response
from saas_platform.api.shaping import OutputModelSerializer, created, or_404, shown, validated
from saas_platform.api.sync import SyncQuerySerializer
from saas_platform.api.uploads import CSV_UPLOAD_PARSERS, CSV_UPLOAD_REQUEST, uploaded_csv
from saas_platform.money import round_money
from tenant_apps.catalog import selectors, services
from tenant_apps.catalog.api.reference import CATALOG_ACTIONS
from tenant_apps.catalog.api.serializers import (
    BarcodeOutputSerializer,
    ProductOutputSerializer,
    ProductPriceOutputSerializer,
    TaxRateOutputSerializer,
    UnitOutputSerializer,
)
from tenant_apps.catalog.csv_io import import_result_body, products_export_csv, products_import_csv
from tenant_apps.catalog.models import Barcode, ProductKind
from tenant_apps.staff.access import Action


def _product_body(request: Request, product_id: int) -> dict[str, Any]:
    product = or_404(selectors.product_get(product_id), "No such product.")
    # The request decides which fields the role sees (cost prices: catalog.view_costs).
    return dict(ProductOutputSerializer(product, context={"request": request}).data)


class _ProductInput(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)
    sku = serializers.CharField(max_length=64)
    description = api_fields.text(required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=ProductKind.choices, required=False)
    sold_by_weight = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)
    category = serializers.IntegerField(required=False, allow_null=True)
    brand = serializers.IntegerField(required=False, allow_null=True)
    unit = serializers.IntegerField()
    tax_rate = serializers.IntegerField(
        required=False, allow_null=True, help_text="Left out: the default rate; null: no tax."
    )
    price = api_fields.amount()
    cost_price = api_fields.amount(required=False)
    variant_of = serializers.IntegerField(
        required=False, allow_null=True, help_text="The parent product of a variant."
    )
    variant_attributes = serializers.DictField(
        required=False,
        help_text='e.g. {"size": "500 ml"}: at most 20 names of up to 50 characters, each with a '
        "text, number or true/false of up to 200 characters.",
    )


_RENAMED = {
    "category": "category_id",
    "brand": "brand_id",
    "unit": "unit_id",
    "tax_rate": "tax_rate_id",
    "variant_of": "variant_of_id",
}


def _fields(data: dict[str, Any]) -> services.ProductFields:
    return {_RENAMED.get(key, key): value for key, value in data.items()}  # type: ignore[return-value]


class ProductListCreateApi(APIView):
    required_actions = CATALOG_ACTIONS

    class FilterSerializer(SyncQuerySerializer):
        q = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=200,
            help_text="Words to prefix-match in name and SKU; an exact SKU or barcode ranks first.",
        )
        category = serializers.IntegerField(required=False, help_text="Includes subcategories.")
        active = serializers.BooleanField(
            required=False,
            allow_null=True,
            default=None,
            help_text="Left out: active and inactive products alike.",
        )
        kind = serializers.ChoiceField(choices=ProductKind.choices, required=False)

    InputSerializer = _ProductInput

    @list_schema(
        ProductOutputSerializer,
        "ProductPage",
        operation_id="catalog_product_list",
        parameters=[FilterSerializer],
    )
    def get(self, request: Request) -> Response:
        data = validated(self.FilterSerializer, request.query_params)
        products = selectors.product_list(
            q=data.get("q", ""),
            category_id=data.get("category"),
            is_active=data.get("active"),
            kind=data.get("kind"),
            updated_since=data.get("updated_since"),
        )
        return paginated(
            request, products, ProductOutputSerializer, since=data.get("updated_since")
        )

    @extend_schema(request=_ProductInput, responses={201: ProductOutputSerializer})
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        product = services.product_create(fields=_fields(data))
        return Response(_product_body(request, product.pk), status=status.HTTP_201_CREATED)


class ProductDetailApi(APIView):
    required_actions = CATALOG_ACTIONS

    class InputSerializer(_ProductInput):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, partial=True, **kwargs)

    @extend_schema(responses=ProductOutputSerializer)
    def get(self, request: Request, product_id: int) -> Response:
        return Response(_product_body(request, product_id))

    @extend_schema(request=_ProductInput(partial=True), responses=ProductOutputSerializer)
    def patch(self, request: Request, product_id: int) -> Response:
        data = validated(self.InputSerializer, request.data)
        services.product_update(product_id=product_id, fields=_fields(data))
        return Response(_product_body(request, product_id))


class ProductDeactivateApi(APIView):
    required_action = Action.CATALOG_MANAGE

    @extend_schema(request=None, responses=ProductOutputSerializer)
    def post(self, request: Request, product_id: int) -> Response:
        services.product_set_active(product_id=product_id, active=False)
        return Response(_product_body(request, product_id))


class ProductReactivateApi(APIView):
    required_action = Action.CATALOG_MANAGE

    @extend_schema(request=None, responses=ProductOutputSerializer)
    def post(self, request: Request, product_id: int) -> Response:
        services.product_set_active(product_id=product_id, active=True)
        return Response(_product_body(request, product_id))


class ProductImageApi(APIView):
    required_action = Action.CATALOG_MANAGE
    # The project default is JSON only; a file needs multipart.
    parser_classes = [MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer[Any]):
        # Django's image field opens the upload with Pillow, so anything that is not a readable
        # image (a PDF renamed .jpg, a truncated file) is refused here.
        image = serializers.ImageField()

    @extend_schema(
        request={"multipart/form-data": InputSerializer}, responses=ProductOutputSerializer
    )
    def post(self, request: Request, product_id: int) -> Response:
        data = validated(self.InputSerializer, request.data)
        services.product_image_set(product_id=product_id, image=data["image"])
        return Response(_product_body(request, product_id))


class ProductBarcodeListCreateApi(APIView):
    required_actions = CATALOG_ACTIONS

    class InputSerializer(serializers.Serializer[Any]):
        code = serializers.CharField(max_length=100, trim_whitespace=False)
        pack_quantity = api_fields.quantity(
            required=False,
            help_text="Units the code stands for, e.g. 24 for a crate; default 1.",
        )

    @list_schema(BarcodeOutputSerializer, "ProductBarcodeList")
    def get(self, request: Request, product_id: int) -> Response:
        product = or_404(selectors.product_get(product_id), "No such product.")
        return paginated(request, product.barcodes.all(), BarcodeOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: BarcodeOutputSerializer})
    def post(self, request: Request, product_id: int) -> Response:
        data = validated(self.InputSerializer, request.data)
        barcode = services.barcode_add(product_id=product_id, **data)
        return created(BarcodeOutputSerializer, barcode)


class ProductBarcodeDeleteApi(APIView):
    required_action = Action.CATALOG_MANAGE

    @extend_schema(responses={204: None})
    def delete(self, request: Request, product_id: int, barcode_id: int) -> Response:
        services.barcode_remove(product_id=product_id, barcode_id=barcode_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProductPriceListSetApi(APIView):
    required_actions = CATALOG_ACTIONS

    class InputSerializer(serializers.Serializer[Any]):
        price_list = serializers.IntegerField()
        price = api_fields.amount()
        min_quantity = api_fields.quantity(required=False)

    @list_schema(ProductPriceOutputSerializer, "ProductPriceList")
    def get(self, request: Request, product_id: int) -> Response:
        product = or_404(selectors.product_get(product_id), "No such product.")
        return paginated(request, product.list_prices.all(), ProductPriceOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: ProductPriceOutputSerializer})
    def post(self, request: Request, product_id: int) -> Response:
        data = validated(self.InputSerializer, request.data)
        listed = services.product_price_set(
            product_id=product_id,
            price_list_id=data["price_list"],
            price=data["price"],
            **({"min_quantity": data["min_quantity"]} if "min_quantity" in data else {}),
        )
        return created(ProductPriceOutputSerializer, listed)


class ProductPriceDeleteApi(APIView):
    required_action = Action.CATALOG_MANAGE

    @extend_schema(responses={204: None})
    def delete(self, request: Request, product_id: int, product_price_id: int) -> Response:
        services.product_price_delete(product_id=product_id, product_price_id=product_price_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BarcodeLookupOutputSerializer(OutputModelSerializer[Barcode]):
    pack_price = serializers.SerializerMethodField()
    product = inline_serializer(
        "ScannedProduct",
        {
            "id": serializers.IntegerField(),
            "name": serializers.CharField(),
            "sku": serializers.CharField(),
            "price": MoneyField(),
            "is_active": serializers.BooleanField(),
            "kind": serializers.CharField(),
            "sold_by_weight": serializers.BooleanField(),
            "unit": UnitOutputSerializer(),
            "tax_rate": TaxRateOutputSerializer(allow_null=True),
        },
    )

    class Meta:
        model = Barcode
        fields = ["code", "symbology", "pack_quantity", "pack_price", "product"]

    @extend_schema_field(MoneyField())
    def get_pack_price(self, barcode: Barcode) -> dict[str, str] | None:
        return MoneyField().to_representation(
            round_money(barcode.product.price * barcode.pack_quantity)
        )


class BarcodeLookupApi(APIView):
    """What the till needs when a code is scanned, in one indexed query."""

    required_action = Action.CATALOG_VIEW

    @extend_schema(
        responses={
            200: BarcodeLookupOutputSerializer,
            404: OpenApiResponse(description="No product has this code."),
        }
    )
    def get(self, request: Request, code: str) -> Response:
        barcode = or_404(
            selectors.barcode_lookup(code),
            f"No product has the barcode {code}.",
            code="unknown_barcode",
        )
        return shown(BarcodeLookupOutputSerializer, barcode)


class ProductImportApi(APIView):
    required_action = Action.CATALOG_MANAGE
    parser_classes = CSV_UPLOAD_PARSERS

    @extend_schema(
        request=CSV_UPLOAD_REQUEST,
        responses=inline_serializer(
            "ProductImportResult",
            {"created": serializers.IntegerField(), "updated": serializers.IntegerField()},
        ),
    )
    def post(self, request: Request) -> Response:
        result = products_import_csv(content=uploaded_csv(request))
        return Response(import_result_body(result))


class ProductExportApi(APIView):
    # The file is the whole catalog, cost prices included, as the import takes it back: for the
    # roles (and keys) that may see costs.
    required_action = Action.CATALOG_VIEW_COSTS

    @extend_schema(
        responses={(200, "text/csv"): OpenApiResponse(response=str, description="The catalog.")}
    )
    def get(self, request: Request) -> HttpResponse:
        return file_response(products_export_csv(), media_type="text/csv", filename="products.csv")
