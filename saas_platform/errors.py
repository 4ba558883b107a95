"""The one application error hierarchy.

Domain code raises these; the API layer's exception handler turns them (and Django's and DRF's own
errors) into ``{"error": {"code", "message", "fields"}}``. Domain code never imports the API
layer, so this module lives in the project package rather than under ``api/``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

# DRF's key for a problem of the whole input rather than of one field.
NON_FIELD = "non_field_errors"


class FieldError(TypedDict):
    code: str
    message: str


FieldErrors = dict[str, list[FieldError]]


def error_body(code: str, message: str, fields: FieldErrors | None = None) -> dict[str, Any]:
    """The one error shape every API answer and middleware refusal uses."""
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def fields_summary(fields: Mapping[str, list[FieldError]]) -> str:
    """The message of an error made of field problems: the first problem, after its field
    (``lines[0].quantity: Sell more than zero.``), so one line says what to fix and where."""
    for name, errors in fields.items():
        if errors:
            prefix = "" if name == NON_FIELD else f"{name}: "
            return f"{prefix}{errors[0]['message']}"
    return "Some fields are not valid."


class DukaError(Exception):
    code = "error"
    status = 400
    default_message = "The request could not be completed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        fields: FieldErrors | None = None,
    ) -> None:
        self.message = message or self.default_message
        if code:
            self.code = code
        self.fields: FieldErrors = fields or {}
        super().__init__(self.message)

    @classmethod
    def for_field(cls, field: str, code: str, message: str) -> DukaError:
        return cls(message, fields={field: [{"code": code, "message": message}]})


class ValidationFailed(DukaError):
    code = "validation_error"
    status = 400
    default_message = "Some fields are not valid."


class NotFound(DukaError):
    code = "not_found"
    status = 404
    default_message = "Not found."


class Conflict(DukaError):
    code = "conflict"
    status = 409
    default_message = "The request conflicts with the current state."


class Forbidden(DukaError):
    code = "forbidden"
    status = 403
    default_message = "You are not allowed to do this."


class PayloadTooLarge(DukaError):
    code = "request_too_large"
    status = 413
    default_message = "The request body is too large."


class FieldErrorCollector:
    """Every problem of one input, field by field, so that one error reports them all.

    The one way a service checks several fields before refusing::

        errors = FieldErrorCollector()
        if not name.strip():
            errors.add("name", "blank", "Give the product a name.")
        if price < 0:
            errors.add("price", "negative", "A price cannot be negative.")
        errors.raise_if_any()  # ValidationFailed("name: Give the product a name.", fields=...)
    """

    def __init__(self) -> None:
        self.fields: FieldErrors = {}

    def add(self, field: str, code: str, message: str) -> None:
        self.fields.setdefault(field, []).append({"code": code, "message": message})

    def extend(self, fields: Mapping[str, list[FieldError]]) -> None:
        """Takes over the problems another check collected (a ``DukaError``'s ``fields``)."""
        for field, errors in fields.items():
            self.fields.setdefault(field, []).extend(errors)

    def __bool__(self) -> bool:
        return bool(self.fields)

    def __contains__(self, field: object) -> bool:
        return field in self.fields

    def error(
        self, error_class: type[DukaError] = ValidationFailed, *, message: str | None = None
    ) -> DukaError:
        """The error listing every problem; its message is ``message`` if given, else the
        first problem's (``fields_summary``)."""
        return error_class(message or fields_summary(self.fields), fields=self.fields)

    def raise_if_any(
        self, error_class: type[DukaError] = ValidationFailed, *, message: str | None = None
    ) -> None:
        if self.fields:
            raise self.error(error_class, message=message)
