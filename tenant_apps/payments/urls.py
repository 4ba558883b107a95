from django.urls import path

from tenant_apps.payments.api import callbacks, payments

app_name = "payments"

urlpatterns = [
    path("", payments.PaymentListApi.as_view(), name="payment-list"),
    path("providers/", payments.ProviderAccountListApi.as_view(), name="provider-list"),
    path(
        "providers/<str:provider>/", payments.ProviderAccountApi.as_view(), name="provider-detail"
    ),
    path("c2b/", payments.C2BListApi.as_view(), name="c2b-list"),
    path(
        "c2b/<str:token>/validation/",
        callbacks.C2BValidationApi.as_view(),
        name="c2b-validation",
    ),
    path(
        "c2b/<str:token>/confirmation/",
        callbacks.C2BConfirmationApi.as_view(),
        name="c2b-confirmation",
    ),
    path("callbacks/<str:token>/", callbacks.PaymentCallbackApi.as_view(), name="payment-callback"),
    path("webhooks/<str:token>/", callbacks.ProviderWebhookApi.as_view(), name="provider-webhook"),
    path(
        "refund-callbacks/<str:token>/",
        callbacks.RefundCallbackApi.as_view(),
        name="refund-callback",
    ),
    path("<uuid:public_id>/", payments.PaymentDetailApi.as_view(), name="payment-detail"),
    path("<uuid:public_id>/query/", payments.PaymentQueryApi.as_view(), name="payment-query"),
    path("<uuid:public_id>/resolve/", payments.PaymentResolveApi.as_view(), name="payment-resolve"),
]
