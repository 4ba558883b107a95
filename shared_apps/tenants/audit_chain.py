"""The canonical text of an audit entry and the hash that chains it to the one before.

This module is the single definition used by both sides of the chain: the trigger function made
by migration ``tenants.0006_audit_chain_functions`` (which computes each new link inside
PostgreSQL) and ``tenant_apps.audit.chain`` (which recomputes the chain in Python to verify it).
Each column is rendered to text by the same SQL expression on both sides, because the text
forms of ``jsonb`` and ``inet`` are PostgreSQL's own and cannot be reproduced byte for byte in
Python; framing, chaining and hashing are done independently on each side.

Changing anything here changes every hash: entries already chained would no longer verify. It
therefore needs a new migration that replaces the function and a plan for the existing chains.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

# The previous hash of the first link of every schema's chain.
GENESIS_HASH = "0" * 64

# (column, SQL expression rendering it as text from the row aliased ``r``), in hashing order.
# Every column of auditlog's LogEntry is covered, so no part of an entry can change unnoticed.
CANONICAL_FIELDS: tuple[tuple[str, str], ...] = (
    ("id", "r.id::text"),
    ("content_type_id", "r.content_type_id::text"),
    ("object_pk", "r.object_pk"),
    ("object_id", "r.object_id::text"),
    ("object_repr", "r.object_repr"),
    ("action", "r.action::text"),
    ("changes", "r.changes::text"),
    ("changes_text", "r.changes_text"),
    ("serialized_data", "r.serialized_data::text"),
    ("actor_id", "r.actor_id::text"),
    ("actor_email", "r.actor_email"),
    ("remote_addr", "host(r.remote_addr)"),
    ("remote_port", "r.remote_port::text"),
    ("cid", "r.cid"),
    # Fixed format in UTC: the session's TimeZone and DateStyle must not change the text.
    (
        "timestamp",
        'to_char(r."timestamp" AT TIME ZONE \'UTC\', \'YYYY-MM-DD"T"HH24:MI:SS.US"Z"\')',
    ),
    ("additional_data", "r.additional_data::text"),
)

# Fields are joined with "|", each framed as "<length>:<text>" (NULL as "-"), so that no
# value can imitate a field boundary: ("a|1:b", …) and ("a", "b", …) never render alike.
FIELD_SEPARATOR = "|"
NULL_FIELD = "-"


def field_text_sql() -> str:
    """A SELECT list of the rendered fields, in order (for reading them back to verify)."""
    return ", ".join(expression for _, expression in CANONICAL_FIELDS)


def canonical_text_sql() -> str:
    """One SQL expression giving the canonical text of the row aliased ``r``."""
    framed = [
        f"coalesce(length({expression})::text || ':' || ({expression}), '{NULL_FIELD}')"
        for _, expression in CANONICAL_FIELDS
    ]
    return f" || '{FIELD_SEPARATOR}' || ".join(framed)


def canonical_text(values: Sequence[str | None]) -> str:
    """The canonical text from the rendered fields, framed as ``canonical_text_sql`` does."""
    if len(values) != len(CANONICAL_FIELDS):
        raise ValueError(f"expected {len(CANONICAL_FIELDS)} fields, got {len(values)}")
    return FIELD_SEPARATOR.join(NULL_FIELD if v is None else f"{len(v)}:{v}" for v in values)


def chain_hash(previous_hash: str, canonical: str) -> str:
    """sha256 of the previous link's hash followed by the entry's canonical text, in hex."""
    return hashlib.sha256((previous_hash + canonical).encode()).hexdigest()
