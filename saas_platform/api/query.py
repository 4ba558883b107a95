"""Plain query parameters a list filters on, read leniently: a value the filter cannot take
means no filter, never a 500. (A list whose filters must refuse bad values with a 400 checks
them with a ``FilterSerializer`` and :func:`saas_platform.api.shaping.validated`.)"""

from __future__ import annotations

from rest_framework.request import Request

_YES = ("1", "true", "yes")


def query_id(request: Request, name: str) -> int | None:
    """The id ``?name=`` gives, or None when it is absent or not a whole number."""
    value = request.query_params.get(name)
    # isdecimal, not isdigit: "²" is a digit that int() refuses (a 500).
    return int(value) if value and value.isdecimal() else None


def query_flag(request: Request, name: str) -> bool | None:
    """None when ``?name=`` is absent (no filter); true for 1, true or yes in any case."""
    value = request.query_params.get(name)
    return None if value is None else value.lower() in _YES
