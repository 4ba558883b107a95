"""The one permission check of a business's API: may this request do that?

A person may do what their role allows and an API key what its scopes grant; both are read
from the permission matrix, ``tenant_apps/staff/access.py``, and nowhere else. Every view says
what it needs with ``required_action`` — one action, or a tuple of actions any of which will do
(financial reports: ``ledger.view`` or ``reports.view``) — or ``required_actions`` per method;
:class:`HasAction`, the project's default permission class, checks it before the view runs. A
view that shows more or less by role (cost prices, price overrides) asks
:func:`request_allows`, which gives the same answer.

The platform console on the root domain has its own gate (shared_apps/console/access.py): its
users are platform owners, who have no role in any business.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from tenant_apps.staff.access import Action, role_allows, scope_allows
from tenant_apps.staff.authentication import is_api_key_request

Needed = Action | tuple[Action, ...]


def request_allows(request: Any, *actions: Action) -> bool:
    """Whether the person or API key behind ``request`` may do any of ``actions``. No request
    (a task, a script) and no signed-in caller may do nothing."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    if is_api_key_request(request):
        return any(scope_allows(request.auth.scopes, action) for action in actions)
    return _role_allows_any(getattr(user, "role", ""), actions)


def required_action(view: Any, method: str) -> tuple[Action, ...] | None:
    """The actions any of which lets a caller use ``view`` by ``method``; None: any signed-in
    person or key may."""
    per_method: dict[str, Needed] = getattr(view, "required_actions", {})
    needed = per_method.get(method, getattr(view, "required_action", None))
    if needed is None:
        return None
    return needed if isinstance(needed, tuple) else (needed,)


def role_may_use(role: str, view: Any, method: str) -> bool:
    """Whether a person of ``role`` passes ``view``'s check for ``method``, whatever else the
    request holds (the API fuzzing reads which operations a role is refused outright)."""
    actions = required_action(view, method)
    return actions is None or _role_allows_any(role, actions)


def _role_allows_any(role: str, actions: tuple[Action, ...]) -> bool:
    return any(role_allows(role, action) for action in actions)


class HasAction(BasePermission):
    """People need a role that allows the view's action; API keys need its scope."""

    message = "Your role does not allow this."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False  # DRF answers 401 for unauthenticated requests
        actions = required_action(view, request.method or "GET")
        if actions is None:
            return True  # any signed-in person or key (e.g. "who am I")
        if is_api_key_request(request):
            self.message = f"This API key lacks the scope for {' or '.join(actions)}."
        return request_allows(request, *actions)
