"""The one application error hierarchy.

Domain code raises these; the API layer's exception handler turns them (and Django's and DRF's own
errors) into ``{"error": {"code", "message", "fields"}}``. Domain code never imports the API
layer, so this module lives in the project package rather than under ``api/``.
"""

from __future__ import annotations

from typing import TypedDict


class FieldError(TypedDict):
    code: str
    message: str


FieldErrors = dict[str, list[FieldError]]


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
