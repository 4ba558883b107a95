from django.urls import path

from tenant_apps.forecasting.api import views

app_name = "forecasting"

urlpatterns = [
    path("runs/", views.ForecastRunListApi.as_view(), name="run-list"),
    path("runs/<int:run_id>/", views.ForecastRunDetailApi.as_view(), name="run-detail"),
    path("forecasts/", views.ForecastListApi.as_view(), name="forecast-list"),
    path("history/", views.SalesHistoryApi.as_view(), name="history-import"),
    path("reorder/", views.ReorderSuggestionListApi.as_view(), name="reorder-list"),
    path("reorder/draft-orders/", views.ReorderDraftApi.as_view(), name="reorder-draft"),
]
