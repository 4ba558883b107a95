"""Categories (a tree), brands, units, tax rates and price lists."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas_platform.api.pagination import PageQuerySerializer, list_schema, paged, paginated
from saas_platform.api.query import query_flag
from saas_platform.api.shaping import created, or_404, shown, validated
from tenant_apps.catalog import selectors, services
from tenant_apps.catalog.api.serializers import (
    BrandOutputSerializer,
    CategoryOutputSerializer,
    PriceListOutputSerializer,
    TaxRateOutputSerializer,
    UnitOutputSerializer,
)
from tenant_apps.catalog.selectors import CategoryNode
from tenant_apps.staff.access import Action

# Reading the catalog is open to every role that sells; changing it needs catalog.manage.
CATALOG_ACTIONS = {
    "GET": Action.CATALOG_VIEW,
    "POST": Action.CATALOG_MANAGE,
    "PATCH": Action.CATALOG_MANAGE,
    "DELETE": Action.CATALOG_MANAGE,
}


# --- Categories ---------------------------------------------------------------------------------


def _category_body(category_id: int) -> dict[str, Any]:
    categories = selectors.category_list()
    category = or_404(
        next((c for c in categories if c.pk == category_id), None), "No such category."
    )
    context = {"paths": selectors.category_paths(categories)}
    return dict(CategoryOutputSerializer(category, context=context).data)


def _tree_body(nodes: list[CategoryNode]) -> list[dict[str, Any]]:
    return [
        {
            "id": node.category.pk,
            "name": node.category.name,
            "parent": node.category.parent_id,
            "path": node.path,
            "children": _tree_body(node.children),
        }
        for node in nodes
    ]


CategoryTreeNode = inline_serializer(
    "CategoryTreeNode",
    {
        "id": serializers.IntegerField(),
        "name": serializers.CharField(),
        "parent": serializers.IntegerField(allow_null=True),
        "path": serializers.CharField(),
        "children": serializers.ListField(
            child=serializers.DictField(), help_text="Nodes of the same shape."
        ),
    },
)


class CategoryListCreateApi(APIView):
    required_actions = CATALOG_ACTIONS

    class InputSerializer(serializers.Serializer[Any]):
        name = serializers.CharField(max_length=120)
        # DRF's metaclass lifts declared fields off the class, so this does not shadow
        # Field.parent at run time; only the type checker sees the clash.
        parent = serializers.IntegerField(required=False, allow_null=True)  # type: ignore[assignment]

    @extend_schema(
        operation_id="catalog_category_list",
        parameters=[
            OpenApiParameter(
                "tree",
                bool,
                description="true: the whole tree, nested nodes with children, in one answer; "
                "otherwise a flat page of categories by path.",
            ),
            PageQuerySerializer,
        ],
        responses=PolymorphicProxySerializer(
            component_name="CategoryList",
            serializers=[
                paged(CategoryOutputSerializer, "CategoryPage"),
                inline_serializer(
                    "CategoryTree", {"tree": serializers.ListField(child=CategoryTreeNode)}
                ),
            ],
            resource_type_field_name=None,
        ),
    )
    def get(self, request: Request) -> Response:
        if query_flag(request, "tree"):
            return Response({"tree": _tree_body(selectors.category_tree())})
        categories = selectors.category_list()
        paths = selectors.category_paths(categories)
        by_path = sorted(categories, key=lambda c: (paths.get(c.pk, c.name).lower(), c.pk))
        return paginated(request, by_path, CategoryOutputSerializer, context={"paths": paths})

    @extend_schema(request=InputSerializer, responses={201: CategoryOutputSerializer})
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        category = services.category_create(name=data["name"], parent_id=data.get("parent"))
        return Response(_category_body(category.pk), status=status.HTTP_201_CREATED)


class CategoryDetailApi(APIView):
    required_actions = CATALOG_ACTIONS

    class InputSerializer(serializers.Serializer[Any]):
        name = serializers.CharField(max_length=120, required=False)
        # DRF's metaclass lifts declared fields off the class, so this does not shadow
        # Field.parent at run time; only the type checker sees the clash.
        parent = serializers.IntegerField(required=False, allow_null=True)  # type: ignore[assignment]

    @extend_schema(responses=CategoryOutputSerializer)
    def get(self, request: Request, category_id: int) -> Response:
        return Response(_category_body(category_id))

    @extend_schema(request=InputSerializer, responses=CategoryOutputSerializer)
    def patch(self, request: Request, category_id: int) -> Response:
        data = validated(self.InputSerializer, request.data)
        changes: services.CategoryChanges = {}
        if "name" in data:
            changes["name"] = data["name"]
        if "parent" in data:
            changes["parent_id"] = data["parent"]
        services.category_update(category_id=category_id, changes=changes)
        return Response(_category_body(category_id))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, category_id: int) -> Response:
        services.category_delete(category_id=category_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Brands -------------------------------------------------------------------------------------


class BrandListCreateApi(APIView):
    required_actions = CATALOG_ACTIONS

    class InputSerializer(serializers.Serializer[Any]):
        name = serializers.CharField(max_length=120)

    @list_schema(BrandOutputSerializer, "BrandList", operation_id="catalog_brand_list")
    def get(self, request: Request) -> Response:
        return paginated(request, selectors.brand_list(), BrandOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: BrandOutputSerializer})
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        brand = services.brand_create(name=data["name"])
        return created(BrandOutputSerializer, brand)


class BrandDetailApi(APIView):
    required_actions = CATALOG_ACTIONS

    class InputSerializer(serializers.Serializer[Any]):
        name = serializers.CharField(max_length=120)

    @extend_schema(responses=BrandOutputSerializer)
    def get(self, request: Request, brand_id: int) -> Response:
        brand = selectors.brand_get(brand_id)
        return shown(BrandOutputSerializer, brand)

    @extend_schema(request=InputSerializer, responses=BrandOutputSerializer)
    def patch(self, request: Request, brand_id: int) -> Response:
        data = validated(self.InputSerializer, request.data)
        brand = services.brand_update(brand_id=brand_id, name=data["name"])
        return shown(BrandOutputSerializer, brand)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, brand_id: int) -> Response:
        services.brand_delete(brand_id=brand_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Units --------------------------------------------------------------------------------------


class UnitListCreateApi(APIView):
    required_actions = CATALOG_ACTIONS

    class InputSerializer(serializers.Serializer[Any]):
        code = serializers.CharField(max_length=12)
        name = serializers.CharField(max_length=60)
        is_fractional = serializers.BooleanField(default=False)

    @list_schema(UnitOutputSerializer, "UnitList", operation_id="catalog_unit_list")
    def get(self, request: Request) -> Response:
        return paginated(request, selectors.unit_list(), UnitOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: UnitOutputSerializer})
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        unit = services.unit_create(**data)
        return created(UnitOutputSerializer, unit)


class UnitDetailApi(APIView):
    required_actions = CATALOG_ACTIONS

    class InputSerializer(serializers.Serializer[Any]):
        code = serializers.CharField(max_length=12, required=False)
        name = serializers.CharField(max_length=60, required=False)
        is_fractional = serializers.BooleanField(required=False)

    @extend_schema(responses=UnitOutputSerializer)
    def get(self, request: Request, unit_id: int) -> Response:
        unit = selectors.unit_get(unit_id)
        return shown(UnitOutputSerializer, unit)

    @extend_schema(request=InputSerializer, responses=UnitOutputSerializer)
    def patch(self, request: Request, unit_id: int) -> Response:
        data = validated(self.InputSerializer, request.data)
        unit = services.unit_update(unit_id=unit_id, changes=data)
        return shown(UnitOutputSerializer, unit)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, unit_id: int) -> Response:
        services.unit_delete(unit_id=unit_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Tax rates ----------------------------------------------------------------------------------


class TaxRateListCreateApi(APIView):
    required_actions = CATALOG_ACTIONS

    class InputSerializer(serializers.Serializer[Any]):
        name = serializers.CharField(max_length=60)
        rate = serializers.DecimalField(max_digits=6, decimal_places=3, help_text="Percent.")
        is_default = serializers.BooleanField(default=False)

    @list_schema(TaxRateOutputSerializer, "TaxRateList", operation_id="catalog_tax_rate_list")
    def get(self, request: Request) -> Response:
        return paginated(request, selectors.tax_rate_list(), TaxRateOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: TaxRateOutputSerializer})
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        tax_rate = services.tax_rate_create(**data)
        return created(TaxRateOutputSerializer, tax_rate)


class TaxRateDetailApi(APIView):
    required_actions = CATALOG_ACTIONS

    class InputSerializer(serializers.Serializer[Any]):
        name = serializers.CharField(max_length=60, required=False)
        rate = serializers.DecimalField(max_digits=6, decimal_places=3, required=False)
        is_default = serializers.BooleanField(required=False)

    @extend_schema(responses=TaxRateOutputSerializer)
    def get(self, request: Request, tax_rate_id: int) -> Response:
        tax_rate = selectors.tax_rate_get(tax_rate_id)
        return shown(TaxRateOutputSerializer, tax_rate)

    @extend_schema(request=InputSerializer, responses=TaxRateOutputSerializer)
    def patch(self, request: Request, tax_rate_id: int) -> Response:
        data = validated(self.InputSerializer, request.data)
        tax_rate = services.tax_rate_update(
            tax_rate_id=tax_rate_id,
            changes=data,
        )
        return shown(TaxRateOutputSerializer, tax_rate)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, tax_rate_id: int) -> Response:
        services.tax_rate_delete(tax_rate_id=tax_rate_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Price lists --------------------------------------------------------------------------------


class PriceListListCreateApi(APIView):
    required_actions = CATALOG_ACTIONS

    class InputSerializer(serializers.Serializer[Any]):
        code = serializers.SlugField(max_length=30)
        name = serializers.CharField(max_length=80)

    @list_schema(PriceListOutputSerializer, "PriceListList", operation_id="catalog_price_list_list")
    def get(self, request: Request) -> Response:
        return paginated(request, selectors.price_list_list(), PriceListOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: PriceListOutputSerializer})
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        price_list = services.price_list_create(**data)
        return created(PriceListOutputSerializer, price_list)


class PriceListDetailApi(APIView):
    required_actions = CATALOG_ACTIONS

    class InputSerializer(serializers.Serializer[Any]):
        name = serializers.CharField(max_length=80)

    @extend_schema(responses=PriceListOutputSerializer)
    def get(self, request: Request, price_list_id: int) -> Response:
        price_list = selectors.price_list_get(price_list_id)
        return shown(PriceListOutputSerializer, price_list)

    @extend_schema(request=InputSerializer, responses=PriceListOutputSerializer)
    def patch(self, request: Request, price_list_id: int) -> Response:
        data = validated(self.InputSerializer, request.data)
        price_list = services.price_list_update(price_list_id=price_list_id, name=data["name"])
        return shown(PriceListOutputSerializer, price_list)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, price_list_id: int) -> Response:
        services.price_list_delete(price_list_id=price_list_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
