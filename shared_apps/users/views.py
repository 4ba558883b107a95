"""The login page view shared by a business's site and the platform console."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpResponse

from shared_apps.users.forms import LoginForm


class LoginView(auth_views.LoginView):
    """Django's ``LoginView`` answering 429 with ``Retry-After`` while the login is locked."""

    authentication_form = LoginForm

    def get_initial(self) -> dict[str, Any]:
        # The root domain's login and the signup page send people here with their e-mail.
        initial = super().get_initial()
        email = self.request.GET.get("email", "")
        if isinstance(email, str) and 0 < len(email) <= 254:
            initial["username"] = email.strip()
        return initial

    def form_invalid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_invalid(form)
        if form.locked is not None:
            response.status_code = 429
            response["Retry-After"] = str(form.locked.retry_after)
        return response
