from django.urls import path

from tenant_apps.purchasing.api import invoices, orders, suppliers

app_name = "purchasing"

urlpatterns = [
    path("suppliers/", suppliers.SupplierListCreateApi.as_view(), name="supplier-list"),
    path(
        "suppliers/<int:supplier_id>/",
        suppliers.SupplierDetailApi.as_view(),
        name="supplier-detail",
    ),
    path(
        "suppliers/<int:supplier_id>/deactivate/",
        suppliers.SupplierDeactivateApi.as_view(),
        name="supplier-deactivate",
    ),
    path(
        "purchase-orders/", orders.PurchaseOrderListCreateApi.as_view(), name="purchase-order-list"
    ),
    path(
        "purchase-orders/<int:order_id>/",
        orders.PurchaseOrderDetailApi.as_view(),
        name="purchase-order-detail",
    ),
    path(
        "purchase-orders/<int:order_id>/place/",
        orders.PurchaseOrderPlaceApi.as_view(),
        name="purchase-order-place",
    ),
    path(
        "purchase-orders/<int:order_id>/cancel/",
        orders.PurchaseOrderCancelApi.as_view(),
        name="purchase-order-cancel",
    ),
    path(
        "purchase-orders/<int:order_id>/close/",
        orders.PurchaseOrderCloseApi.as_view(),
        name="purchase-order-close",
    ),
    path(
        "purchase-orders/<int:order_id>/receipts/",
        orders.GoodsReceiptListCreateApi.as_view(),
        name="goods-receipt-list",
    ),
    path(
        "supplier-invoices/",
        invoices.SupplierInvoiceListCreateApi.as_view(),
        name="supplier-invoice-list",
    ),
    path(
        "supplier-invoices/<int:invoice_id>/",
        invoices.SupplierInvoiceDetailApi.as_view(),
        name="supplier-invoice-detail",
    ),
    path(
        "supplier-invoices/<int:invoice_id>/void/",
        invoices.SupplierInvoiceVoidApi.as_view(),
        name="supplier-invoice-void",
    ),
    path(
        "supplier-invoices/<int:invoice_id>/payments/",
        invoices.SupplierPaymentListCreateApi.as_view(),
        name="supplier-payment-list",
    ),
    path("payables/", invoices.PayablesApi.as_view(), name="payables-report"),
]
