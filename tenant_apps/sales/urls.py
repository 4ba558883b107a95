from django.urls import URLPattern, URLResolver, include, path

from tenant_apps.sales.api import anomalies, checkout, receipts, reports, tills

app_name = "sales"

# One sale's receipt, void, returns and tenders, under its path.
sale_urlpatterns = [
    path("", checkout.SaleDetailApi.as_view(), name="sale-detail"),
    path("receipt/", receipts.SaleReceiptApi.as_view(), name="sale-receipt"),
    path("receipt/email/", receipts.SaleReceiptEmailApi.as_view(), name="sale-receipt-email"),
    path("void/", checkout.SaleVoidApi.as_view(), name="sale-void"),
    path("returns/", checkout.SaleReturnApi.as_view(), name="sale-return-list"),
    path(
        "tenders/<int:tender_id>/retry/",
        checkout.SaleTenderRetryApi.as_view(),
        name="sale-tender-retry",
    ),
]
shift_urlpatterns = [
    path("", tills.ShiftDetailApi.as_view(), name="shift-detail"),
    path("cash/", tills.ShiftCashApi.as_view(), name="shift-cash"),
    path("no-sale/", tills.ShiftNoSaleApi.as_view(), name="shift-no-sale"),
    path("close/", tills.ShiftCloseApi.as_view(), name="shift-close"),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("", checkout.SaleListApi.as_view(), name="sale-list"),
    path("checkout/", checkout.CheckoutApi.as_view(), name="sale-checkout"),
    path("quote/", checkout.QuoteApi.as_view(), name="sale-quote"),
    path("parked/", checkout.ParkedSaleListApi.as_view(), name="sale-parked"),
    path("registers/", tills.RegisterListCreateApi.as_view(), name="register-list"),
    path("registers/<int:register_id>/", tills.RegisterDetailApi.as_view(), name="register-detail"),
    path("registers/<int:register_id>/shifts/", tills.ShiftOpenApi.as_view(), name="shift-list"),
    path("shifts/<int:shift_id>/", include(shift_urlpatterns)),
    path("coupons/", tills.CouponListCreateApi.as_view(), name="coupon-list"),
    path(
        "receipt-settings/",
        receipts.ReceiptSettingsApi.as_view(),
        name="receipt-settings-detail",
    ),
    path("reports/summary/", reports.SalesSummaryApi.as_view(), name="summary-report"),
    path("reports/today/", reports.SalesTodayApi.as_view(), name="today-report"),
    path("reports/anomalies/", anomalies.AnomalyReportApi.as_view(), name="anomaly-report"),
    path(
        "reports/anomalies/<int:cashier_id>/<slug:metric>/",
        anomalies.AnomalyEvidenceApi.as_view(),
        name="anomaly-evidence",
    ),
    path("<uuid:sale_uuid>/", include(sale_urlpatterns)),
]
