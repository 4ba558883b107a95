"""Input limits of the API, in one place (docs/api.md, "Input limits", lists them).

Every limit here turns input that the database or Python would choke on (a NUL byte PostgreSQL
refuses in text, an OFFSET beyond bigint, JSON nested deeper than the interpreter's recursion
limit, a body too large to hold in memory) into a 4xx that names the field, before anything is
read from or written to the database.
"""

from __future__ import annotations

import re

# Paging: ``?offset=`` and ``?limit=`` of every list.
MAX_OFFSET = 10_000_000
MAX_LIMIT = 500

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
