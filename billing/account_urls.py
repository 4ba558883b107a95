"""The business's own billing API, mounted at ``/api/v1/billing/`` on a business's host
(billing/api/account.py). Its namespace stays open to writes while billing holds the business
(billing/standing.py): that is how a suspended business pays."""

from django.urls import path

from billing.api import account

app_name = "billing-account"

urlpatterns = [
    path("subscription/", account.SubscriptionDetailApi.as_view(), name="subscription-detail"),
    path("subscription/plan/", account.SubscriptionPlanApi.as_view(), name="subscription-plan"),
    path(
        "subscription/cancel/",
        account.SubscriptionCancelApi.as_view(),
        name="subscription-cancel",
    ),
    path(
        "subscription/reactivate/",
        account.SubscriptionReactivateApi.as_view(),
        name="subscription-reactivate",
    ),
    path("usage/", account.UsageDetailApi.as_view(), name="usage-detail"),
    path(
        "upcoming-invoice/",
        account.UpcomingInvoiceDetailApi.as_view(),
        name="upcoming-invoice-detail",
    ),
    path("plans/", account.PlanListApi.as_view(), name="plan-list"),
    path("invoices/", account.InvoiceListApi.as_view(), name="invoice-list"),
    path("invoices/<int:invoice_id>/", account.InvoiceDetailApi.as_view(), name="invoice-detail"),
    path("invoices/<int:invoice_id>/pdf/", account.InvoicePdfApi.as_view(), name="invoice-pdf"),
    path("credit-notes/", account.CreditNoteListApi.as_view(), name="credit-note-list"),
    path(
        "credit-notes/<int:credit_note_id>/pdf/",
        account.CreditNotePdfApi.as_view(),
        name="credit-note-pdf",
    ),
    path(
        "payment-method/setup/",
        account.PaymentMethodSetupApi.as_view(),
        name="payment-method-setup",
    ),
]
