"""The business's billing page and its forms, on the business's own host (billing/views.py)."""

from django.urls import path

from billing import views

app_name = "billing-page"

urlpatterns = [
    path("billing/", views.account, name="account"),
    path("billing/plan/", views.subscription_plan, name="subscription-plan"),
    path("billing/cancel/", views.subscription_cancel_page, name="subscription-cancel"),
    path("billing/reactivate/", views.subscription_reactivate_page, name="subscription-reactivate"),
    path(
        "billing/payment-method/setup/",
        views.payment_method_setup,
        name="payment-method-setup",
    ),
    # Where the gateway's hosted page sends the owner back (the address given at setup).
    path(
        "billing/payment-method/return/",
        views.payment_method_return,
        name="payment-method-return",
    ),
]
