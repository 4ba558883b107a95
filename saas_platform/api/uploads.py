"""A CSV file sent to an import: as a multipart upload (field ``file``) or as a ``text/csv``
body. One way for every import view to take it and document it."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request

from saas_platform.api.parsers import CsvParser
from saas_platform.api.shaping import validated
from saas_platform.errors import ValidationFailed

MAX_IMPORT_BYTES = 10_000_000
CSV_UPLOAD_PARSERS = [MultiPartParser, CsvParser]


class CsvUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(help_text="The CSV file (or send the CSV as a text/csv body).")


CSV_UPLOAD_REQUEST: dict[str, Any] = {
    "multipart/form-data": CsvUploadSerializer,
    "text/csv": {"type": "string", "format": "binary"},
}


def uploaded_csv(request: Request) -> bytes | str:
    """The file's content, refused (400 ``too_large``) beyond MAX_IMPORT_BYTES."""
    if isinstance(request.data, bytes | str):
        return request.data
    upload = validated(CsvUploadSerializer, request.data)["file"]
    if upload.size > MAX_IMPORT_BYTES:
        raise ValidationFailed.for_field(
            "file", "too_large", f"At most {MAX_IMPORT_BYTES // 1_000_000} MB per file."
        )
    return bytes(upload.read())
