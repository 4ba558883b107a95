"""The error answers the API documents beside each operation's success.

Every error of the API has one shape (saas_platform/api/exception_handler.py), and the shared
layers decide most statuses the same way for every view: bad input is a 400, a missing or wrong
credential a 401, a refusal a 403, an id that names nothing a 404, and so on. drf-spectacular
documents only the success answer; these rules add the errors each operation can give, all with
the one `Error` body, so that clients (and the API fuzzing in tests/api_fuzz) know them. A view
that gives an error these rules cannot see documents it itself with `extend_schema`.

Two refusals come before any view and apply to every operation of a business host: an unknown
host is a 404, a business the platform suspended a 403, and a write of a business held for an
unpaid invoice a 402 (see docs/api.md).
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.permissions import AllowAny


class ErrorProblem(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="Stable, for programs: `required`, `max_length`, …")
    message = serializers.CharField(help_text="For people.")


class ErrorDetail(serializers.Serializer[Any]):
    code = serializers.CharField(
        help_text="Stable, for programs: `validation_error`, `not_found`, `conflict`, …"
    )
    message = serializers.CharField(help_text="For people.")
    # DRF's metaclass lifts declared fields off the class, so this does not shadow
    # Serializer.fields at run time; only the type checker sees the clash.
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=ErrorProblem()),
        help_text="Each field (nested as `lines[0].qty`) with its problems; often empty.",
    )


class Error(serializers.Serializer[Any]):
    error = ErrorDetail()


DESCRIPTIONS = {
    "400": "The request is not valid (`error.fields` names each problem); nothing was changed.",
    "401": "No valid credential: log in again, or refresh the access token.",
    "402": (
        "The business's plan does not include this (`plan_limit`): `error.fields.limit` names"
        " the limit (its code) and what the plan allows, `error.fields.cheapest_plan` the"
        " cheapest plan that allows it (its code). Or the business is held for an unpaid"
        " invoice (`subscription_suspended`, `subscription_cancelled`): it can read, export and"
        " pay, not write. Nothing was changed."
    ),
    "403": "Refused: the role does not allow it, or the platform suspended the business.",
    "404": "No such object in this business.",
    "409": "It conflicts with the current state (a duplicate, a closed shift, a row in use).",
    "413": "The request body is too large.",
    "429": "Too many requests: try again after the `Retry-After` seconds.",
}


def error_statuses(*, view: Any, method: str, path: str) -> list[str]:
    """The error statuses an operation can answer with, from how its view is set up."""
    authenticators = list(view.get_authenticators())
    statuses = ["400"]  # any request can be malformed: its JSON, its characters, its fields
    # DRF's own rule: a refused credential is a 401 where the view can name a scheme in
    # WWW-Authenticate (a bearer token, a credentials endpoint), else a 403 (a session).
    if view.get_authenticate_header(view.request):
        statuses.append("401")
    if authenticators or any(
        not isinstance(permission, AllowAny) for permission in view.get_permissions()
    ):
        statuses.append("403")
    # Views whose writes a plan limits say which methods (billing/entitlements.py); any write
    # of a business's own data is refused while billing holds the business (billing/standing.py).
    if method in getattr(view, "plan_limited_methods", ()) or (
        method in {"POST", "PUT", "PATCH", "DELETE"}
        and type(view).__module__.startswith("tenant_apps.")
    ):
        statuses.append("402")
    if "{" in path:
        statuses.append("404")
    if method in {"POST", "PUT", "PATCH", "DELETE"}:
        statuses.append("409")
    if method in {"POST", "PUT", "PATCH"}:
        statuses.append("413")
    if view.get_throttles():
        statuses.append("429")
    return statuses
