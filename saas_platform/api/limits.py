"""Paging limits of the API: ``?offset=`` and ``?limit=`` of every list (docs/api.md, "Input
limits"). The limits of input itself (text, JSON, uploads) are in saas_platform/limits.py.
"""

from __future__ import annotations

# An OFFSET beyond bigint makes PostgreSQL fail (a 500); ten million rows is past any list here.
MAX_OFFSET = 10_000_000
MAX_LIMIT = 500
