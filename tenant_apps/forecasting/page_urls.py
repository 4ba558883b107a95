"""The forecasting page and its forms, on the business's own host (forecasting/pages.py)."""

from django.urls import path

from tenant_apps.forecasting import pages

app_name = "forecasting-page"

urlpatterns = [
    path("forecasts/", pages.overview, name="overview"),
    path("forecasts/train/", pages.train, name="train"),
    path("forecasts/draft-orders/", pages.draft_orders, name="draft-orders"),
    path(
        "forecasts/products/<int:product>/<int:location>/",
        pages.product_forecast,
        name="product",
    ),
    path(
        "forecasts/cashiers/<int:person>/<str:metric>/",
        pages.cashier_evidence,
        name="cashier-evidence",
    ),
]
