"""OpenAPI generation tuned to our view style."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.fields import empty

from saas_platform.api.openapi_errors import DESCRIPTIONS, Error, error_statuses

# /api/v1/<app>/…: the app is the tag, so the documents group operations as the code does.
_APP_SEGMENT = re.compile(r"^/api/v\d+/([^/{]+)")


class DukaAutoSchema(AutoSchema):
    def get_serializer_name(self, serializer: Any, direction: Any) -> str:
        # Each view nests its own InputSerializer / OutputSerializer; name their components
        # after the view (StaffListCreateApiInput) so they do not all collapse into "Input".
        qualname = type(serializer).__qualname__
        if "." in qualname:
            return qualname.replace(".", "").removesuffix("Serializer")
        return str(super().get_serializer_name(serializer, direction))

    def get_tags(self) -> list[str]:
        # drf-spectacular tags by the first path segment, which is "api" or "v1" for us.
        found = _APP_SEGMENT.match(self.path)
        if found:
            return [found.group(1)]
        return list(super().get_tags())

    def _get_response_bodies(self, direction: Any = "response") -> Any:
        # The success answer, then the errors the shared layers give (openapi_errors.py); an
        # answer the view documents itself for a status comes first.
        responses = super()._get_response_bodies(direction)
        for status in error_statuses(view=self.view, method=self.method, path=self.path):
            if status not in responses:
                responses[status] = self._get_response_for_code(
                    OpenApiResponse(Error, description=DESCRIPTIONS[status]),
                    status,
                    # Errors are JSON whatever the operation renders on success (CSV, PDF…).
                    media_types=["application/json"],
                    direction=direction,
                )
        return responses

    def _get_serializer_field_meta(self, field: Any, direction: Any) -> dict[str, Any]:
        meta: dict[str, Any] = super()._get_serializer_field_meta(field, direction)
        if (
            direction == "request"
            and isinstance(field, serializers.CharField)
            and not field.allow_blank
            and not field.read_only
        ):
            # DRF refuses "" where blank is not allowed; say so (drf-spectacular does only
            # with COMPONENT_SPLIT_REQUEST, which would rename every component).
            meta.setdefault("minLength", 1)
        if direction == "response" and _may_be_null(field):
            # An output field declared by hand (MoneyField(), source="created_by.email") does
            # not inherit null=True from the model column or relation it shows.
            meta["nullable"] = True
        return meta

    def _map_serializer_field(
        self, field: Any, direction: Any, bypass_extensions: bool = False
    ) -> Any:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.DecimalField) and isinstance(schema, dict):
            _require_a_digit(schema)
        return schema

    def _insert_field_validators(self, field: Any, schema: dict[str, Any]) -> None:
        super()._insert_field_validators(field, schema)
        if (
            isinstance(field, serializers.EmailField)
            and schema.get("format") == "email"
            and _may_be_blank(field)
        ):
            # "" is how a model stores "no e-mail", and it is not an e-mail address; written as
            # drf-spectacular writes an input e-mail field that allows blank.
            del schema["type"], schema["format"]
            schema["oneOf"] = [
                {"type": "string", "format": "email"},
                {"type": "string", "maxLength": 0},
            ]


def _may_be_blank(field: serializers.Field[Any, Any, Any, Any]) -> bool:
    """Whether the field may hold "": it says so, or (read only, where DRF drops the flag) the
    model field it shows allows blank."""
    if getattr(field, "allow_blank", False):
        return True
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source:
        return False
    try:
        return bool(model._meta.get_field(field.source).blank)
    except FieldDoesNotExist:
        return False


def _may_be_null(field: serializers.Field[Any, Any, Any, Any]) -> bool:
    """Whether an output field can come out as null: it says so (allow_null, default=None), or
    the model column or a relation on its way there (``created_by.email``) is nullable."""
    if getattr(field, "allow_null", False) or getattr(field, "default", empty) is None:
        return True
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not field.source or field.source == "*":
        return False
    for name in field.source.split("."):
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        if not model_field.concrete:
            # A reverse relation or a many-to-many: a list, empty rather than null.
            return False
        if model_field.null:
            return True
        model = model_field.related_model
        if model is None:
            return False
    return False


# drf-spectacular's pattern for a decimal string, ^-?\d{0,12}(?:\.\d{0,4})?$, also matches "",
# "-" and ".", which DRF refuses as "A valid number is required."
_LOOSE_DECIMAL = re.compile(r"^\^-\?\\d\{0,(\d+)\}\(\?:\\\.\\d\{0,(\d+)\}\)\?\$$")


def _require_a_digit(schema: dict[str, Any]) -> None:
    for part in [schema, *schema.get("oneOf", [])]:
        found = _LOOSE_DECIMAL.match(str(part.get("pattern", "")))
        if found:
            whole, fraction = found.groups()
            part["pattern"] = (
                rf"^-?(?:\d{{1,{whole}}}(?:\.\d{{0,{fraction}}})?|\.\d{{1,{fraction}}})$"
            )
