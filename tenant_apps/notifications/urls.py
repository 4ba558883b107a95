from django.urls import path

from tenant_apps.notifications.api import log, preferences

app_name = "notifications"

urlpatterns = [
    path("preferences/", preferences.PreferencesApi.as_view(), name="preference-detail"),
    path("log/", log.NotificationListApi.as_view(), name="notification-list"),
    path(
        "log/<int:notification_id>/",
        log.NotificationDetailApi.as_view(),
        name="notification-detail",
    ),
]
