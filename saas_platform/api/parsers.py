"""Request-body parsers of the API: JSON with limits, and CSV taken as it is.

DRF's parser reads the whole body with no size of its own; the JSON one here reads at most
MAX_JSON_BYTES and parses with :func:`saas_platform.limits.json_loads`, which reports the first
problem (too deep, too long, NUL) at the path where it is (``lines[0].note``), before a view
sees the data.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from saas_platform.errors import PayloadTooLarge
from saas_platform.limits import (
    MAX_JSON_BYTES,
    MAX_UPLOAD_BYTES,
    InvalidJson,
    json_loads,
    shown,
)


def read_limited(stream: Any, limit: int) -> bytes:
    """The body, refused with a 413 beyond ``limit`` bytes (without reading further)."""
    if stream is None:
        return b""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"The request body is limited to {limit:,} bytes.")
    return bytes(data)


def _text_encoding(parser_context: dict[str, Any]) -> str:
    encoding = str(parser_context.get("encoding") or settings.DEFAULT_CHARSET)
    try:
        # Only text codecs: a bytes-to-bytes one (bz2_codec) would inflate a small body.
        "".encode(encoding)
    except (LookupError, UnicodeError) as error:
        raise ParseError(f"Unsupported charset {shown(encoding, 40)!r}.") from error
    return encoding


class JSONParser(parsers.JSONParser):
    """The project's JSON parser (REST_FRAMEWORK's DEFAULT_PARSER_CLASSES)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = _text_encoding(parser_context or {})
        raw = read_limited(stream, MAX_JSON_BYTES)
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as error:
            raise ParseError(f"The body is not valid {encoding}.") from error
        try:
            return json_loads(text)
        except InvalidJson as error:
            raise ParseError(f"JSON parse error - {error}") from error


class CsvParser(parsers.BaseParser):
    """Takes a ``text/csv`` body as it is (bytes, at most MAX_UPLOAD_BYTES); the import
    decodes and checks it."""

    media_type = "text/csv"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        return read_limited(stream, MAX_UPLOAD_BYTES)
