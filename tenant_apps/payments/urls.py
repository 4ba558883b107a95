from django.urls import include, path

from tenant_apps.payments.api import callbacks, payments

app_name = "payments"

# What providers post to, each under the unguessable token of the account or payment.
c2b_urlpatterns = [
    path("validation/", callbacks.C2BValidationApi.as_view(), name="c2b-validation"),
    path("confirmation/", callbacks.C2BConfirmationApi.as_view(), name="c2b-confirmation"),
]
payment_urlpatterns = [
    path("", payments.PaymentDetailApi.as_view(), name="payment-detail"),
    path("query/", payments.PaymentQueryApi.as_view(), name="payment-query"),
    path("resolve/", payments.PaymentResolveApi.as_view(), name="payment-resolve"),
]

urlpatterns = [
    path("", payments.PaymentListApi.as_view(), name="payment-list"),
    path("providers/", payments.ProviderAccountListApi.as_view(), name="provider-list"),
    path(
        "providers/<str:provider>/", payments.ProviderAccountApi.as_view(), name="provider-detail"
    ),
    path("c2b/", payments.C2BListApi.as_view(), name="c2b-list"),
    path("c2b/<str:token>/", include(c2b_urlpatterns)),
    path("callbacks/<str:token>/", callbacks.PaymentCallbackApi.as_view(), name="payment-callback"),
    path("webhooks/<str:token>/", callbacks.ProviderWebhookApi.as_view(), name="provider-webhook"),
    path(
        "refund-callbacks/<str:token>/",
        callbacks.RefundCallbackApi.as_view(),
        name="refund-callback",
    ),
    path("<uuid:public_id>/", include(payment_urlpatterns)),
]
