from dj_rest_auth.views import (
    LoginView,
    PasswordChangeView,
    PasswordResetConfirmView,
)
from django.urls import path

from tenant_apps.staff.api import api_keys, auth, staff

auth_urlpatterns = [
    path("login/", LoginView.as_view(), name="rest_login"),
    path("logout/", auth.LogoutApi.as_view(), name="rest_logout"),
    path("token/refresh/", auth.TenantTokenRefreshView.as_view(), name="token_refresh"),
    path("pin-login/", auth.PinLoginApi.as_view(), name="pin_login"),
    path("user/", auth.CurrentUserApi.as_view(), name="rest_user_details"),
    path("password/change/", PasswordChangeView.as_view(), name="rest_password_change"),
    path("password/reset/", auth.PasswordResetApi.as_view(), name="rest_password_reset"),
    path(
        "password/reset/confirm/",
        PasswordResetConfirmView.as_view(),
        name="rest_password_reset_confirm",
    ),
]

staff_urlpatterns = [
    path("", staff.StaffListCreateApi.as_view(), name="staff-list"),
    path("<int:user_id>/", staff.StaffDetailApi.as_view(), name="staff-detail"),
    path("<int:user_id>/deactivate/", staff.StaffDeactivateApi.as_view(), name="staff-deactivate"),
    path("<int:user_id>/reactivate/", staff.StaffReactivateApi.as_view(), name="staff-reactivate"),
    path("<int:user_id>/pin/", staff.StaffPinApi.as_view(), name="staff-pin"),
    path("<int:user_id>/pin/reset/", staff.StaffPinResetApi.as_view(), name="staff-pin-reset"),
]

api_key_urlpatterns = [
    path("", api_keys.ApiKeyListCreateApi.as_view(), name="api-key-list"),
    path("<int:api_key_id>/revoke/", api_keys.ApiKeyRevokeApi.as_view(), name="api-key-revoke"),
]
