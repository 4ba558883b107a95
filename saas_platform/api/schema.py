"""OpenAPI generation tuned to our view style."""

from __future__ import annotations

import re
from typing import Any

from drf_spectacular.openapi import AutoSchema

from saas_platform.api.limits import MAX_LIMIT, MAX_OFFSET

# /api/v1/<app>/…: the app is the tag, so the documents group operations as the code does.
_APP_SEGMENT = re.compile(r"^/api/v\d+/([^/{]+)")
# Bounds of the paging parameters, for views that declare them as plain integers.
_PAGING_BOUNDS = {"offset": (0, MAX_OFFSET), "limit": (1, MAX_LIMIT)}


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

    def get_operation(self, *args: Any, **kwargs: Any) -> Any:
        operation = super().get_operation(*args, **kwargs)
        for parameter in (operation or {}).get("parameters", []):
            bounds = _PAGING_BOUNDS.get(parameter.get("name", ""))
            schema = parameter.get("schema", {})
            if parameter.get("in") == "query" and bounds and schema.get("type") == "integer":
                schema.setdefault("minimum", bounds[0])
                schema.setdefault("maximum", bounds[1])
        return operation
