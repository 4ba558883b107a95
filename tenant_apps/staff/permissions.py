"""The DRF permission class every tenant endpoint uses: one action per view (and method)."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from tenant_apps.staff.access import Action, role_allows, scope_allows
from tenant_apps.staff.authentication import is_api_key_request


def required_action(view: Any, method: str) -> Action | None:
    per_method: dict[str, Action] = getattr(view, "required_actions", {})
    return per_method.get(method, getattr(view, "required_action", None))


class HasAction(BasePermission):
    """People need a role that allows the view's action; API keys need its scope."""

    message = "Your role does not allow this."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False  # DRF answers 401 for unauthenticated requests
        action = required_action(view, request.method or "GET")
        if action is None:
            return True  # any signed-in person or key (e.g. "who am I")
        if is_api_key_request(request):
            self.message = f"This API key lacks the scope for {action}."
            return scope_allows(request.auth.scopes, action)  # type: ignore[union-attr]
        return role_allows(getattr(user, "role", ""), action)
