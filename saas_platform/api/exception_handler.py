"""Maps every error that reaches the API to one JSON shape."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_default_handler

from saas_platform.errors import DukaError, FieldError, FieldErrors

logger = logging.getLogger(__name__)

NON_FIELD = "non_field_errors"


def error_body(code: str, message: str, fields: FieldErrors | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


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


def _summary(fields: FieldErrors) -> str:
    for name, errors in fields.items():
        if errors:
            prefix = "" if name == NON_FIELD else f"{name}: "
            return f"{prefix}{errors[0]['message']}"
    return "Some fields are not valid."


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DukaError):
        refusal = Response(error_body(exc.code, exc.message, exc.fields), status=exc.status)
        retry_after = getattr(exc, "retry_after", None)
        if retry_after:
            refusal["Retry-After"] = str(int(retry_after))
        return refusal

    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD: exc.messages}
        fields: FieldErrors = {
            name: [FieldError(code="invalid", message=m) for m in messages]
            for name, messages in detail.items()
        }
        return Response(error_body("validation_error", _summary(fields), fields), status=400)
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
        response.data = error_body("validation_error", _summary(flat), flat)
    elif isinstance(exc, drf.APIException):
        code = exc.get_codes()
        code = code if isinstance(code, str) else exc.default_code
        message = exc.detail if isinstance(exc.detail, str) else str(exc.default_detail)
        response.data = error_body(str(code), str(message))
    return response
