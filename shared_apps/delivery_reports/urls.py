"""Providers' delivery reports, mounted at ``/api/v1/notifications/delivery-reports/`` on the
root domain only. Africa's Talking's URL ends with the platform's unguessable token (its
callbacks are not signed); WhatsApp's is fixed (its webhooks are)."""

from django.urls import path

from shared_apps.delivery_reports import api

app_name = "delivery_reports"

urlpatterns = [
    path(
        "africastalking/<str:token>/",
        api.AfricasTalkingReportApi.as_view(),
        name="report-africastalking",
    ),
    path("whatsapp/", api.WhatsAppStatusApi.as_view(), name="report-whatsapp"),
]
