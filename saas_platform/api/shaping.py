"""The parts of a view: the input a serializer checked, the row a selector found, and the answer
an output serializer shapes. A view reads as parse, call, shape::

    data = validated(self.InputSerializer, request.data)
    location = location_create(**data)
    return created(LocationOutputSerializer, location)

Bad input raises before the call, so the view never sees it: a 400 naming each bad field
(saas_platform/api/exception_handler.py).
"""

from __future__ import annotations

from typing import Any, TypeAlias, TypeVar

from django.db.models import Model
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from saas_platform.errors import NotFound

SerializerClass: TypeAlias = type[serializers.BaseSerializer[Any]]
_Row = TypeVar("_Row", bound=Model)
_Found = TypeVar("_Found")


def validated(serializer_class: SerializerClass, data: Any, **kwargs: Any) -> Any:
    """``data`` (a body or query parameters) as ``serializer_class`` validates it; ``kwargs``
    go to the serializer (``partial=True``, ``context=…``)."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def or_404(row: _Found | None, message: str, *, code: str | None = None) -> _Found:
    """What a selector found, or a 404 with ``message`` (and ``code``) when it found nothing."""
    if row is None:
        raise NotFound(message, code=code)
    return row


def shown(
    serializer_class: SerializerClass,
    instance: Any,
    *,
    request: Request | None = None,
    status: int = 200,
) -> Response:
    """``instance`` shaped by ``serializer_class``; with ``request`` in its context for
    serializers that show more or less by role (costs, secrets)."""
    context = {"request": request} if request is not None else {}
    return Response(serializer_class(instance, context=context).data, status=status)


def created(
    serializer_class: SerializerClass, instance: Any, *, request: Request | None = None
) -> Response:
    """A 201 with what was made, shaped as :func:`shown` does."""
    return shown(serializer_class, instance, request=request, status=201)


# The shape of a row in an answer: every field ``Meta.fields`` names is read only (the OpenAPI
# document says so), without each serializer repeating ``read_only_fields = fields``. A comment,
# not a docstring: drf-spectacular would print a docstring into every component it describes.
class OutputModelSerializer(serializers.ModelSerializer[_Row]):
    def get_extra_kwargs(self) -> dict[str, Any]:
        extra: dict[str, Any] = super().get_extra_kwargs()
        for name in self.Meta.fields:
            extra[name] = {**extra.get(name, {}), "read_only": True}
        return extra
