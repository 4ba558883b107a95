from django.urls import path

from tenant_apps.catalog.api import products, reference

app_name = "catalog"

urlpatterns = [
    path("categories/", reference.CategoryListCreateApi.as_view(), name="category-list"),
    path(
        "categories/<int:category_id>/",
        reference.CategoryDetailApi.as_view(),
        name="category-detail",
    ),
    path("brands/", reference.BrandListCreateApi.as_view(), name="brand-list"),
    path("brands/<int:brand_id>/", reference.BrandDetailApi.as_view(), name="brand-detail"),
    path("units/", reference.UnitListCreateApi.as_view(), name="unit-list"),
    path("units/<int:unit_id>/", reference.UnitDetailApi.as_view(), name="unit-detail"),
    path("tax-rates/", reference.TaxRateListCreateApi.as_view(), name="tax-rate-list"),
    path(
        "tax-rates/<int:tax_rate_id>/",
        reference.TaxRateDetailApi.as_view(),
        name="tax-rate-detail",
    ),
    path("price-lists/", reference.PriceListListCreateApi.as_view(), name="price-list-list"),
    path(
        "price-lists/<int:price_list_id>/",
        reference.PriceListDetailApi.as_view(),
        name="price-list-detail",
    ),
    path("products/", products.ProductListCreateApi.as_view(), name="product-list"),
    path("products/import/", products.ProductImportApi.as_view(), name="product-import"),
    path("products/export/", products.ProductExportApi.as_view(), name="product-export"),
    path(
        "products/<int:product_id>/",
        products.ProductDetailApi.as_view(),
        name="product-detail",
    ),
    path(
        "products/<int:product_id>/deactivate/",
        products.ProductDeactivateApi.as_view(),
        name="product-deactivate",
    ),
    path(
        "products/<int:product_id>/reactivate/",
        products.ProductReactivateApi.as_view(),
        name="product-reactivate",
    ),
    path(
        "products/<int:product_id>/image/",
        products.ProductImageApi.as_view(),
        name="product-image",
    ),
    path(
        "products/<int:product_id>/barcodes/",
        products.ProductBarcodeListCreateApi.as_view(),
        name="product-barcode-list",
    ),
    path(
        "products/<int:product_id>/barcodes/<int:barcode_id>/",
        products.ProductBarcodeDeleteApi.as_view(),
        name="product-barcode-detail",
    ),
    path(
        "products/<int:product_id>/prices/",
        products.ProductPriceListSetApi.as_view(),
        name="product-price-list",
    ),
    path(
        "products/<int:product_id>/prices/<int:product_price_id>/",
        products.ProductPriceDeleteApi.as_view(),
        name="product-price-detail",
    ),
    path("barcodes/<str:code>/", products.BarcodeLookupApi.as_view(), name="barcode-detail"),
]
