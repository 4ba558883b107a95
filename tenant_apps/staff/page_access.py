"""Who may open a page or post its forms: the signed-in person's role against the matrix in
``access.py`` (pages take no API keys). One check for every page of a business's host."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from tenant_apps.staff.access import Action, role_allows


def page_allows(request: HttpRequest, action: Action) -> bool:
    return role_allows(getattr(request.user, "role", ""), action)


def page_require(request: HttpRequest, action: Action) -> None:
    """A 403 page unless the person's role allows ``action``."""
    if not page_allows(request, action):
        raise PermissionDenied("Your role does not allow this.")
