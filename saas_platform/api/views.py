"""Error pages that speak JSON to API clients and HTML to browsers.

Django answers some errors itself, before or around DRF: a body over
DATA_UPLOAD_MAX_MEMORY_SIZE, a suspicious file name, an unknown route. The handlers here
(``handler400``/``403``/``404``/``500`` of both URLconfs) give those the API's error shape on
``/api/`` paths; with DEBUG on Django shows its technical pages instead of calling them, and
saas_platform/api/request_guards.py turns those into the same shape.
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from saas_platform.errors import FieldErrors, error_body

# What an error status means, for the responses that carry no code of their own.
STATUS_ERRORS = {
    400: ("bad_request", "The request could not be understood."),
    403: ("forbidden", "You are not allowed to do this."),
    404: ("not_found", "No such endpoint."),
    405: ("method_not_allowed", "This method is not allowed here."),
    413: ("request_too_large", "The request body is too large."),
    500: ("server_error", "Something went wrong on our side; it has been logged."),
}
PAGE_TITLES = {400: "Bad request", 403: "Forbidden", 413: "Request too large"}


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def status_error(status: int) -> tuple[str, str]:
    return STATUS_ERRORS.get(status, (f"http_{status}", "The request could not be completed."))


def error_response(
    request: HttpRequest,
    status: int,
    code: str | None = None,
    message: str | None = None,
    fields: FieldErrors | None = None,
) -> HttpResponse:
    default_code, default_message = status_error(status)
    code, message = code or default_code, message or default_message
    if is_api(request):
        return JsonResponse(error_body(code, message, fields), status=status)
    if status == 404:
        return render(request, "404.html", status=404)
    if status >= 500:
        return render(request, "500.html", status=status)
    title = PAGE_TITLES.get(status, "Error")
    return render(request, "error.html", {"title": title, "message": message}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        return error_response(request, 413)
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        return error_response(request, 400, "too_many_fields", "The request has too many fields.")
    return error_response(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return error_response(request, 500)
