"""Request-body parsers of the API: JSON with limits, and CSV taken as it is.

Python's ``json`` recurses once per nesting level and raises RecursionError (a 500) on deep
input; PostgreSQL refuses NUL in any text; and DRF's parser reads the whole body with no size of
its own. :func:`loads` parses under the limits of :mod:`saas_platform.api.limits` and reports
the first problem at the path where it is (``lines[0].note``), before a view sees the data.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from saas_platform.api.limits import (
    MAX_JSON_BYTES,
    MAX_JSON_DEPTH,
    MAX_JSON_STRING,
    MAX_UPLOAD_BYTES,
    has_control_characters,
    shown,
)
from saas_platform.errors import PayloadTooLarge, ValidationFailed

BODY = "body"


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        # "1e400" parses as infinity, which no column can store.
        raise ValueError(f"the number {shown(text, 40)} is out of range")
    return value


def _refused(path: str, code: str, message: str) -> ValidationFailed:
    return ValidationFailed(
        f"{path}: {message}", code=code, fields={path: [{"code": code, "message": message}]}
    )


def _key_path(prefix: str, key: str) -> str:
    name = shown(key, 50)
    return f"{prefix}.{name}" if prefix else name


def _check_text(text: str, path: str) -> None:
    if len(text) > MAX_JSON_STRING:
        raise _refused(path, "too_long", f"Text is limited to {MAX_JSON_STRING} characters.")
    if has_control_characters(text, allow_whitespace=True):
        raise _refused(
            path,
            "invalid_characters",
            "Text cannot contain NUL or other control characters.",
        )


def check_limits(value: Any) -> None:
    """Walks parsed JSON without recursion: depth, string lengths and characters."""
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, str):
            _check_text(item, path or BODY)
            continue
        if not isinstance(item, dict | list):
            continue
        depth += 1
        if depth > MAX_JSON_DEPTH:
            raise _refused(
                path or BODY, "too_deep", f"JSON may nest at most {MAX_JSON_DEPTH} levels deep."
            )
        if isinstance(item, dict):
            for key, child in item.items():
                child_path = _key_path(path, key)
                _check_text(key, child_path)
                stack.append((child, child_path, depth))
        else:
            for index, child in enumerate(item):
                stack.append((child, f"{path}[{index}]", depth))


def loads(text: str | bytes) -> Any:
    """Parses JSON under the API's limits; raises ParseError or a 400 naming the field."""
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError as error:
        # The C scanner gives up beyond the interpreter's recursion limit (about 1000 levels).
        raise _refused(
            BODY, "too_deep", f"JSON may nest at most {MAX_JSON_DEPTH} levels deep."
        ) from error
    except ValueError as error:  # includes UnicodeDecodeError
        raise ParseError(f"JSON parse error - {shown(str(error))}") from error
    check_limits(value)
    return value


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
        return loads(text)


class CsvParser(parsers.BaseParser):
    """Takes a ``text/csv`` body as it is (bytes, at most MAX_UPLOAD_BYTES); the import
    decodes and checks it."""

    media_type = "text/csv"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        return read_limited(stream, MAX_UPLOAD_BYTES)
