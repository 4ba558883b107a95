"""Recomputes the audit hash chain of the current schema in Python and finds the first break."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from shared_apps.tenants.audit_chain import (
    GENESIS_HASH,
    canonical_text,
    chain_hash,
    field_text_sql,
)

# Links read per query: keeps memory flat on long chains.
BATCH_SIZE = 2000

_LINKS = (
    "SELECT l.sequence, l.entry_id, l.previous_hash, l.hash, "  # noqa: S608
    + field_text_sql()
    + " FROM audit_chainlink l JOIN auditlog_logentry r ON r.id = l.entry_id"
    " WHERE l.sequence > %s ORDER BY l.sequence LIMIT %s"
)

_UNCHAINED = """
SELECT r.id FROM auditlog_logentry r
WHERE NOT EXISTS (SELECT 1 FROM audit_chainlink l WHERE l.entry_id = r.id)
ORDER BY r.id LIMIT 1
"""


@dataclass(frozen=True)
class ChainReport:
    entries: int
    head_hash: str
    broken_entry_id: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_entry_id is None


def verify_chain() -> ChainReport:
    """Walks the chain of the connection's current schema from its first link."""
    expected_sequence, previous = 1, GENESIS_HASH
    with connection.cursor() as cursor:
        while True:
            cursor.execute(_LINKS, [expected_sequence - 1, BATCH_SIZE])
            rows = cursor.fetchall()
            for sequence, entry_id, previous_hash, stored_hash, *fields in rows:
                if sequence != expected_sequence:
                    return ChainReport(
                        expected_sequence - 1,
                        previous,
                        entry_id,
                        f"link {expected_sequence} is missing; the chain jumps to {sequence}",
                    )
                if previous_hash != previous:
                    return ChainReport(
                        sequence - 1,
                        previous,
                        entry_id,
                        "its link does not point at the hash of the link before it",
                    )
                if chain_hash(previous, canonical_text(fields)) != stored_hash:
                    return ChainReport(
                        sequence - 1,
                        previous,
                        entry_id,
                        "the entry's content no longer matches its hash",
                    )
                expected_sequence, previous = sequence + 1, stored_hash
            if len(rows) < BATCH_SIZE:
                break
        cursor.execute(_UNCHAINED)
        unchained = cursor.fetchone()
    entries = expected_sequence - 1
    if unchained is not None:
        return ChainReport(entries, previous, unchained[0], "the entry has no link in the chain")
    return ChainReport(entries, previous)
