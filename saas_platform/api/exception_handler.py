"""Maps every error that reaches the API to one JSON shape."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from rest_framework import exceptions as drf
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Empty
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_default_handler

from saas_platform.errors import (
    NON_FIELD,
    DukaError,
    FieldError,
    FieldErrors,
    PayloadTooLarge,
    error_body,
    fields_summary,
)
from saas_platform.limits import MAX_ECHO, shown

logger = logging.getLogger(__name__)

# A message never grows past this, whatever it quotes.
MAX_MESSAGE = 400
# How many strings of a request body are looked at for quoting (a body is at most 1 MB).
_MAX_INPUTS_SCANNED = 5_000


def _flatten_detail(detail: Any, prefix: str = "") -> FieldErrors:
    """Turns DRF's nested ``ErrorDetail`` structures into ``{field: [{code, message}]}``."""
    fields: FieldErrors = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int):  # ListField errors are keyed by the item's index
                name = f"{prefix}[{key}]"
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            for field, errors in _flatten_detail(value, name).items():
                fields.setdefault(field, []).extend(errors)
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            if isinstance(item, dict | list):
                for field, errors in _flatten_detail(item, f"{prefix}[{index}]").items():
                    fields.setdefault(field, []).extend(errors)
            else:
                fields.setdefault(prefix or NON_FIELD, []).append(_one(item))
    else:
        fields.setdefault(prefix or NON_FIELD, []).append(_one(detail))
    return fields


def _one(item: Any) -> FieldError:
    code = getattr(item, "code", None) or "invalid"
    return FieldError(code=str(code), message=str(item))


def _in_use_message(exc: ProtectedError | RestrictedError) -> str:
    users = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
    kinds = sorted({str(row._meta.verbose_name_plural) for row in users})
    return f"This cannot be deleted: {', '.join(kinds) or 'other records'} still refer to it."


def _long_inputs(context: dict[str, Any]) -> list[str]:
    """What the client sent that is longer than an error message may quote, longest first."""
    found: set[str] = set()
    request = context.get("request")
    pending: list[Any] = list((context.get("kwargs") or {}).values())
    if request is not None:
        # Only a body that was already parsed: parsing it now could fail all over again.
        data = getattr(request, "_full_data", Empty)
        if data is not Empty:
            pending.append(data)
        query = getattr(request, "query_params", None)
        if query is not None:
            pending.append(query)
    scanned = 0
    while pending and scanned < _MAX_INPUTS_SCANNED:
        item = pending.pop()
        scanned += 1
        if isinstance(item, str):
            if len(item) > MAX_ECHO:
                found.update({item, item.strip()})
        elif hasattr(item, "lists"):  # a QueryDict: every value of every key
            pending.extend(item.keys())
            pending.extend(value for _key, values in item.lists() for value in values)
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return sorted(found, key=len, reverse=True)


def _tame(message: str, inputs: list[str]) -> str:
    for text in inputs:
        if text and text in message:
            message = message.replace(text, shown(text))
    return shown(message, MAX_MESSAGE)


def _tamed(body: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    """The body with every quote of the client's input cut to MAX_ECHO characters: a client
    that sends 100,000 characters does not get them back in the message."""
    error = body["error"]
    inputs = _long_inputs(context)
    error["message"] = _tame(str(error["message"]), inputs)
    error["fields"] = {
        shown(str(name)): [
            FieldError(code=problem["code"], message=_tame(str(problem["message"]), inputs))
            for problem in problems
        ]
        for name, problems in (error.get("fields") or {}).items()
    }
    return body


def _suspicious(exc: SuspiciousOperation) -> DukaError:
    # Django's security log still records it, as it does for a request it refuses itself.
    logging.getLogger(f"django.security.{type(exc).__name__}").error(str(exc))
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge()
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return DukaError("The request has too many fields.", code="too_many_fields")
    return DukaError("The request could not be understood.", code="bad_request")


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = _handled(exc, context)
    if response is not None and isinstance(response.data, dict) and "error" in response.data:
        response.data = _tamed(response.data, context)
        # An error is JSON whatever was asked for (``?format=csv``, ``Accept: application/pdf``):
        # DRF renders the response with the request's renderer, so that is the one to replace.
        request = context.get("request")
        if request is not None:
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
    return response


def _handled(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, SuspiciousOperation):
        # A body over DATA_UPLOAD_MAX_MEMORY_SIZE, a file name the storage refuses: bad input,
        # answered in our shape rather than with Django's HTML 400 page.
        exc = _suspicious(exc)
    if isinstance(exc, DukaError):
        refusal = Response(error_body(exc.code, exc.message, exc.fields), status=exc.status)
        retry_after = getattr(exc, "retry_after", None)
        if retry_after:
            refusal["Retry-After"] = str(int(retry_after))
        return refusal

    if isinstance(exc, ProtectedError | RestrictedError):
        # Deleting a row that others still point at (a price list a sale used): the caller's
        # mistake, refused before anything was deleted.
        return Response(error_body("in_use", _in_use_message(exc)), status=409)

    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD: exc.messages}
        fields: FieldErrors = {
            name: [FieldError(code="invalid", message=m) for m in messages]
            for name, messages in detail.items()
        }
        return Response(error_body("validation_error", fields_summary(fields), fields), status=400)
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()

    handled = drf_default_handler(exc, context)
    if handled is None:
        # Unhandled: Django turns it into a 500 and logs it; we never hide a bug as a 4xx.
        return None
    response: Response = handled

    if isinstance(exc, drf.ValidationError):
        flat = _flatten_detail(exc.detail)
        response.data = error_body("validation_error", fields_summary(flat), flat)
    elif isinstance(exc, drf.APIException):
        code = exc.get_codes()
        code = code if isinstance(code, str) else exc.default_code
        message = exc.detail if isinstance(exc.detail, str) else str(exc.default_detail)
        response.data = error_body(str(code), str(message))
    return response
