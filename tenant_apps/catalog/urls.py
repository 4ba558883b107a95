from django.urls import include, path

from tenant_apps.catalog.api import products, reference

app_name = "catalog"

# A product's own actions and the rows that belong to it, under its path.
product_urlpatterns = [
    path("", products.ProductDetailApi.as_view(), name="product-detail"),
    path("deactivate/", products.ProductDeactivateApi.as_view(), name="product-deactivate"),
    path("reactivate/", products.ProductReactivateApi.as_view(), name="product-reactivate"),
    path("image/", products.ProductImageApi.as_view(), name="product-image"),
    path("barcodes/", products.ProductBarcodeListCreateApi.as_view(), name="product-barcode-list"),
    path(
        "barcodes/<int:barcode_id>/",
        products.ProductBarcodeDeleteApi.as_view(),
        name="product-barcode-detail",
    ),
    path("prices/", products.ProductPriceListSetApi.as_view(), name="product-price-list"),
    path(
        "prices/<int:product_price_id>/",
        products.ProductPriceDeleteApi.as_view(),
        name="product-price-detail",
    ),
]

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
        "tax-rates/<int:tax_rate_id>/", reference.TaxRateDetailApi.as_view(), name="tax-rate-detail"
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
    path("products/<int:product_id>/", include(product_urlpatterns)),
    path("barcodes/<str:code>/", products.BarcodeLookupApi.as_view(), name="barcode-detail"),
]
