"""Input limits, in one place (docs/api.md, "Input limits", lists them), for the API and for
whatever else reads outside input (the catalog's CSV import). Paging limits, which only the
API's ``?limit=``/``?offset=`` have, are in saas_platform/api/limits.py.

Every limit here turns input that the database or Python would choke on (a NUL byte PostgreSQL
refuses in text, JSON nested deeper than the interpreter's recursion limit, a body too large to
hold in memory) into a 4xx that names the field, before anything is read from or written to the
database.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any, cast

from django.db import models

from saas_platform.errors import ValidationFailed

# JSON request bodies.
MAX_JSON_BYTES = 1_000_000
MAX_JSON_DEPTH = 32
# Any string anywhere in a JSON body; a field's own ``max_length`` is usually far lower.
MAX_JSON_STRING = 10_000

# Bodies that carry files (multipart uploads, a ``text/csv`` import); the import itself allows
# 10 MB of CSV, the rest is room for the multipart envelope.
MAX_UPLOAD_BYTES = 12_000_000

# A free-text field (a description, a note, an address) whose column has no length of its own.
MAX_TEXT_LENGTH = 5_000

# Error messages quote at most this many characters of what a client sent.
MAX_ECHO = 100

# C0 control characters and DEL. PostgreSQL refuses NUL in text outright; the others have no
# business in a name, a code or a URL and only serve to confuse logs, terminals and spreadsheets.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# In free text a tab, a line feed and a carriage return are ordinary.
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Lone UTF-16 surrogates: Python strings may hold them (JSON's "\ud800"), UTF-8 cannot.
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def has_control_characters(text: str, *, allow_whitespace: bool = False) -> bool:
    """True if ``text`` holds a character no stored text may hold.

    ``allow_whitespace`` lets tab, line feed and carriage return through (body text); a URL
    path or a query string gets no such allowance.
    """
    pattern = _CONTROL_IN_TEXT if allow_whitespace else _CONTROL
    return bool(pattern.search(text) or _SURROGATE.search(text))


def shown(text: str, limit: int = MAX_ECHO) -> str:
    """``text`` as an error message may quote it: at most ``limit`` characters."""
    return text if len(text) <= limit else f"{text[:limit]}…"


# --- JSON under the limits ---------------------------------------------------------------------
#
# Python's ``json`` recurses once per nesting level and raises RecursionError (a 500) on deep
# input, and takes NaN, Infinity and 1e400 as numbers no column can store.

BODY = "body"


class InvalidJson(ValueError):
    """Text that is not JSON (or holds NaN, Infinity or an out-of-range number)."""


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


def json_loads(text: str | bytes) -> Any:
    """Parses JSON under the limits above.

    Raises :class:`InvalidJson` for what is not JSON (the API answers ``parse_error``) and
    ``ValidationFailed`` naming the path for JSON beyond a limit.
    """
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError as error:
        # The C scanner gives up beyond the interpreter's recursion limit (about 1000 levels).
        raise _refused(
            BODY, "too_deep", f"JSON may nest at most {MAX_JSON_DEPTH} levels deep."
        ) from error
    except ValueError as error:  # includes UnicodeDecodeError
        raise InvalidJson(shown(str(error))) from error
    check_limits(value)
    return value


def decimal_problem(value: Decimal, model: type[models.Model], name: str) -> tuple[str, str] | None:
    """Why ``value`` cannot be stored in a decimal column (``code, message``), or None."""
    column = cast("models.DecimalField[Any, Any]", model._meta.get_field(name))
    digits, places = int(column.max_digits or 0), int(column.decimal_places or 0)
    if not value.is_finite():
        return "invalid", "A number is required."
    # Range first: quantizing 1E+30 to 4 places needs more precision than Decimal keeps.
    if abs(value) >= Decimal(10) ** (digits - places):
        return "out_of_range", f"At most {digits - places} digits before the decimal point."
    if value != value.quantize(Decimal(1).scaleb(-places)):
        return "max_decimal_places", f"At most {places} decimal places."
    return None
