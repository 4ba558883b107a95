"""Request-level guards for every request, API or page (in MIDDLEWARE right after tenancy).

Before a view runs:
- a URL path or query string holding NUL or another control character is refused with a 400
  (``invalid_characters``): PostgreSQL refuses NUL in text, so such a value would otherwise fail
  in whatever query it reaches (a 500);
- a body whose declared length is over the API's limits is refused with a 413 before anything
  reads it.

After: on ``/api/`` paths an error page that is not JSON (Django's own 400/403/404 pages, or its
technical pages when DEBUG is on) is replaced by the API's error shape, so that an API client
always gets ``{"error": {...}}``. It is part of the API layer for that reason: it answers in
the API's error shape, through saas_platform/api/views.py.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.http import HttpRequest, HttpResponse

from saas_platform.api.views import error_response, is_api
from saas_platform.errors import FieldErrorCollector, fields_summary
from saas_platform.limits import MAX_JSON_BYTES, MAX_UPLOAD_BYTES, has_control_characters, shown

INVALID_CHARACTERS = "invalid_characters"
_NOT_JSON = ("text/html", "text/plain")


def _characters_refusal(request: HttpRequest) -> HttpResponse | None:
    errors = FieldErrorCollector()
    if has_control_characters(request.path):
        errors.add("path", INVALID_CHARACTERS, "The address holds a control character.")
    try:
        parameters = list(request.GET.lists())
    except TooManyFieldsSent:
        return error_response(request, 400, "too_many_fields", "The request has too many fields.")
    for name, values in parameters:
        if has_control_characters(name) or any(has_control_characters(v) for v in values):
            key = shown(name.replace("\x00", "\\0"), 50) or "query"
            errors.add(key, INVALID_CHARACTERS, "Cannot contain NUL or other control characters.")
    if not errors:
        return None
    return error_response(
        request, 400, INVALID_CHARACTERS, fields_summary(errors.fields), errors.fields
    )


def _size_refusal(request: HttpRequest) -> HttpResponse | None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None  # Django reads a malformed length as no body
    content_type = request.content_type or ""
    if content_type == "application/json" or content_type.endswith("+json"):
        limit = MAX_JSON_BYTES
    elif content_type in ("multipart/form-data", "text/csv"):
        limit = MAX_UPLOAD_BYTES
    else:
        # Forms and anything else: Django's own limit, which it enforces only when the body
        # is read (RequestDataTooBig); refusing here gives the same answer with DEBUG on or off.
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or MAX_UPLOAD_BYTES
    if length <= limit:
        return None
    return error_response(request, 413, message=f"The request body is limited to {limit:,} bytes.")


class RequestGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = _characters_refusal(request) or _size_refusal(request)
        if refusal is not None:
            return refusal
        response = self.get_response(request)
        if (
            is_api(request)
            and response.status_code >= 400
            and response.get("Content-Type", "").startswith(_NOT_JSON)
        ):
            # Django's own error pages (technical ones with DEBUG on): same status, our shape.
            return error_response(request, response.status_code)
        return response
