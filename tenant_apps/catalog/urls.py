from django.urls import path

from tenant_apps.catalog.api import products, reference

urlpatterns = [
    path("categories/", reference.CategoryListCreateApi.as_view(), name="catalog-categories"),
    path(
        "categories/<int:category_id>/",
        reference.CategoryDetailApi.as_view(),
        name="catalog-category",
    ),
    path("brands/", reference.BrandListCreateApi.as_view(), name="catalog-brands"),
    path("brands/<int:brand_id>/", reference.BrandDetailApi.as_view(), name="catalog-brand"),
    path("units/", reference.UnitListCreateApi.as_view(), name="catalog-units"),
    path("units/<int:unit_id>/", reference.UnitDetailApi.as_view(), name="catalog-unit"),
    path("tax-rates/", reference.TaxRateListCreateApi.as_view(), name="catalog-tax-rates"),
    path(
        "tax-rates/<int:tax_rate_id>/",
        reference.TaxRateDetailApi.as_view(),
        name="catalog-tax-rate",
    ),
    path("price-lists/", reference.PriceListListCreateApi.as_view(), name="catalog-price-lists"),
    path(
        "price-lists/<int:price_list_id>/",
        reference.PriceListDetailApi.as_view(),
        name="catalog-price-list",
    ),
    path("products/", products.ProductListCreateApi.as_view(), name="catalog-products"),
    path("products/import/", products.ProductImportApi.as_view(), name="catalog-products-import"),
    path("products/export/", products.ProductExportApi.as_view(), name="catalog-products-export"),
    path(
        "products/<int:product_id>/",
        products.ProductDetailApi.as_view(),
        name="catalog-product",
    ),
    path(
        "products/<int:product_id>/deactivate/",
        products.ProductDeactivateApi.as_view(),
        name="catalog-product-deactivate",
    ),
    path(
        "products/<int:product_id>/reactivate/",
        products.ProductReactivateApi.as_view(),
        name="catalog-product-reactivate",
    ),
    path(
        "products/<int:product_id>/image/",
        products.ProductImageApi.as_view(),
        name="catalog-product-image",
    ),
    path(
        "products/<int:product_id>/barcodes/",
        products.ProductBarcodeListCreateApi.as_view(),
        name="catalog-product-barcodes",
    ),
    path(
        "products/<int:product_id>/barcodes/<int:barcode_id>/",
        products.ProductBarcodeDeleteApi.as_view(),
        name="catalog-product-barcode",
    ),
    path(
        "products/<int:product_id>/prices/",
        products.ProductPriceListSetApi.as_view(),
        name="catalog-product-prices",
    ),
    path(
        "products/<int:product_id>/prices/<int:product_price_id>/",
        products.ProductPriceDeleteApi.as_view(),
        name="catalog-product-price",
    ),
    path("barcodes/<str:code>/", products.BarcodeLookupApi.as_view(), name="catalog-barcode"),
]
