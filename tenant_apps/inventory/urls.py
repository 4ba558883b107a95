from django.urls import include, path

from tenant_apps.inventory.api import stock, workflows

app_name = "inventory"

# Each workflow's own actions, under its row's path.
transfer_urlpatterns = [
    path("", workflows.TransferDetailApi.as_view(), name="transfer-detail"),
    path("dispatch/", workflows.TransferDispatchApi.as_view(), name="transfer-dispatch"),
    path("receive/", workflows.TransferReceiveApi.as_view(), name="transfer-receive"),
    path("cancel/", workflows.TransferCancelApi.as_view(), name="transfer-cancel"),
]
count_urlpatterns = [
    path("", workflows.CountDetailApi.as_view(), name="count-detail"),
    path("lines/", workflows.CountRecordApi.as_view(), name="count-line-list"),
    path("complete/", workflows.CountCompleteApi.as_view(), name="count-complete"),
    path("cancel/", workflows.CountCancelApi.as_view(), name="count-cancel"),
]

urlpatterns = [
    path("locations/", stock.LocationListCreateApi.as_view(), name="location-list"),
    path("locations/<int:location_id>/", stock.LocationDetailApi.as_view(), name="location-detail"),
    path("stock/", stock.StockLevelListApi.as_view(), name="stock-list"),
    path("movements/", stock.MovementListApi.as_view(), name="movement-list"),
    path("thresholds/", stock.ThresholdApi.as_view(), name="threshold-list"),
    path("adjustments/", stock.AdjustmentApi.as_view(), name="adjustment-list"),
    path("opening-balances/", stock.OpeningBalanceApi.as_view(), name="opening-balance-list"),
    path("valuation/", stock.ValuationApi.as_view(), name="valuation-report"),
    path("transfers/", workflows.TransferListCreateApi.as_view(), name="transfer-list"),
    path("transfers/<int:transfer_id>/", include(transfer_urlpatterns)),
    path("counts/", workflows.CountCreateApi.as_view(), name="count-list"),
    path("counts/<int:count_id>/", include(count_urlpatterns)),
    path("reservations/", workflows.ReservationListCreateApi.as_view(), name="reservation-list"),
    path(
        "reservations/<int:reservation_id>/release/",
        workflows.ReservationReleaseApi.as_view(),
        name="reservation-release",
    ),
    path("alerts/", workflows.AlertListApi.as_view(), name="alert-list"),
    path(
        "alerts/<int:alert_id>/resolve/", workflows.AlertResolveApi.as_view(), name="alert-resolve"
    ),
]
