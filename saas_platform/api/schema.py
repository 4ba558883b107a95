"""OpenAPI generation tuned to our view style."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema


class DukaAutoSchema(AutoSchema):
    def get_serializer_name(self, serializer: Any, direction: Any) -> str:
        # Each view nests its own InputSerializer / OutputSerializer; name their components
        # after the view (StaffListCreateApiInput) so they do not all collapse into "Input".
        qualname = type(serializer).__qualname__
        if "." in qualname:
            return qualname.replace(".", "").removesuffix("Serializer")
        return str(super().get_serializer_name(serializer, direction))
