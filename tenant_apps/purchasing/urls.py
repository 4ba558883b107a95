from django.urls import include, path

from tenant_apps.purchasing.api import invoices, orders, suppliers

app_name = "purchasing"

# Each document's own actions and lines, under its path.
order_urlpatterns = [
    path("", orders.PurchaseOrderDetailApi.as_view(), name="purchase-order-detail"),
    path("place/", orders.PurchaseOrderPlaceApi.as_view(), name="purchase-order-place"),
    path("cancel/", orders.PurchaseOrderCancelApi.as_view(), name="purchase-order-cancel"),
    path("close/", orders.PurchaseOrderCloseApi.as_view(), name="purchase-order-close"),
    path("receipts/", orders.GoodsReceiptListCreateApi.as_view(), name="goods-receipt-list"),
]
invoice_urlpatterns = [
    path("", invoices.SupplierInvoiceDetailApi.as_view(), name="supplier-invoice-detail"),
    path("void/", invoices.SupplierInvoiceVoidApi.as_view(), name="supplier-invoice-void"),
    path(
        "payments/", invoices.SupplierPaymentListCreateApi.as_view(), name="supplier-payment-list"
    ),
]

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
    path("purchase-orders/<int:order_id>/", include(order_urlpatterns)),
    path(
        "supplier-invoices/",
        invoices.SupplierInvoiceListCreateApi.as_view(),
        name="supplier-invoice-list",
    ),
    path("supplier-invoices/<int:invoice_id>/", include(invoice_urlpatterns)),
    path("payables/", invoices.PayablesApi.as_view(), name="payables-report"),
]
