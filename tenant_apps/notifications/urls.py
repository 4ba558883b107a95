from django.urls import path

from tenant_apps.notifications.api import log, preferences, settings

app_name = "notifications"

urlpatterns = [
    path("preferences/", preferences.PreferencesApi.as_view(), name="preference-detail"),
    path("settings/", settings.NotificationSettingsApi.as_view(), name="settings-detail"),
    path("log/", log.NotificationListApi.as_view(), name="notification-list"),
    path(
        "log/<int:notification_id>/",
        log.NotificationDetailApi.as_view(),
        name="notification-detail",
    ),
]
