"""Sign-in, staff and API keys, mounted at ``/api/v1/``: ``auth/``, ``staff/``, ``api-keys/``."""

from dj_rest_auth.views import (
    LoginView,
    PasswordChangeView,
    PasswordResetConfirmView,
)
from django.urls import include, path

from tenant_apps.staff.api import api_keys, auth, staff

app_name = "staff"

# One staff member's account, under their path.
member_urlpatterns = [
    path("", staff.StaffDetailApi.as_view(), name="staff-detail"),
    path("deactivate/", staff.StaffDeactivateApi.as_view(), name="staff-deactivate"),
    path("reactivate/", staff.StaffReactivateApi.as_view(), name="staff-reactivate"),
    path("pin/", staff.StaffPinApi.as_view(), name="staff-pin"),
    path("pin/reset/", staff.StaffPinResetApi.as_view(), name="staff-pin-reset"),
]

urlpatterns = [
    path("auth/login/", LoginView.as_view(), name="auth-login"),
    path("auth/logout/", auth.LogoutApi.as_view(), name="auth-logout"),
    path("auth/token/refresh/", auth.TenantTokenRefreshView.as_view(), name="token-refresh"),
    path("auth/pin-login/", auth.PinLoginApi.as_view(), name="auth-pin-login"),
    path("auth/user/", auth.CurrentUserApi.as_view(), name="current-user-detail"),
    path("auth/password/change/", PasswordChangeView.as_view(), name="password-change"),
    path("auth/password/reset/", auth.PasswordResetApi.as_view(), name="password-reset"),
    path(
        "auth/password/reset/confirm/",
        PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path("staff/", staff.StaffListCreateApi.as_view(), name="staff-list"),
    path("staff/<int:user_id>/", include(member_urlpatterns)),
    path("api-keys/", api_keys.ApiKeyListCreateApi.as_view(), name="api-key-list"),
    path(
        "api-keys/<int:api_key_id>/revoke/",
        api_keys.ApiKeyRevokeApi.as_view(),
        name="api-key-revoke",
    ),
]
