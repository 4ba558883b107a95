"""The login form of every password login page (a business's ``/login/``, the console)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from shared_apps.users.lockout import LoginLocked


class LoginForm(AuthenticationForm):
    """Django's login form; a locked account or address becomes a form error the page shows.

    The backoff itself is in the authentication backend (``backends.py``), shared with the API.
    """

    locked: LoginLocked | None = None

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except LoginLocked as exc:
            self.locked = exc
            raise forms.ValidationError(exc.message, code=exc.code) from exc
