from django.urls import path

from tenant_apps.payments.api import callbacks, payments

urlpatterns = [
    path("", payments.PaymentListApi.as_view(), name="payment-list"),
    path("providers/", payments.ProviderAccountListApi.as_view(), name="payment-provider-list"),
    path("providers/<str:provider>/", payments.ProviderAccountApi.as_view()),
    path("c2b/", payments.C2BListApi.as_view(), name="payment-c2b-list"),
    path("c2b/<str:token>/validation/", callbacks.C2BValidationApi.as_view()),
    path("c2b/<str:token>/confirmation/", callbacks.C2BConfirmationApi.as_view()),
    path("callbacks/<str:token>/", callbacks.PaymentCallbackApi.as_view()),
    path("webhooks/<str:token>/", callbacks.ProviderWebhookApi.as_view()),
    path("refund-callbacks/<str:token>/", callbacks.RefundCallbackApi.as_view()),
    path("<uuid:public_id>/", payments.PaymentDetailApi.as_view(), name="payment-detail"),
    path("<uuid:public_id>/query/", payments.PaymentQueryApi.as_view()),
    path("<uuid:public_id>/resolve/", payments.PaymentResolveApi.as_view()),
]
