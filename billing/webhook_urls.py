"""Gateways' webhooks, mounted at ``/api/v1/billing/webhooks/`` on the root domain only."""

from django.urls import path

from billing.api.webhooks import PaystackWebhookApi, StripeWebhookApi

app_name = "billing-webhooks"

urlpatterns = [
    path("stripe/", StripeWebhookApi.as_view(), name="webhook-stripe"),
    path("paystack/", PaystackWebhookApi.as_view(), name="webhook-paystack"),
]
