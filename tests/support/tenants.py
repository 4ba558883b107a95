"""Businesses for tests and benchmarks: signup data, schemas, and the spare-schema pool."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import connection

from shared_apps.tenants import schema_pool
from shared_apps.tenants.services import SignupData

if TYPE_CHECKING:  # the benchmarks use this module too, without pytest
    import pytest

STRONG_PASSWORD = "Correct-Horse-Battery-42"

# Spares each test database keeps committed (per pytest-xdist worker). A rolled-back test that
# signs up businesses renames one spare per business, and the rollback renames them back; a
# test making more businesses than this clones the rest, which is only slower. Most tests make
# one or two businesses; a few make three.
TEST_SPARE_SCHEMAS = 4

_numbers = itertools.count(1)


def signup_data(**overrides: str) -> SignupData:
    number = next(_numbers)
    values = {
        "business_name": f"Shop {number}",
        "slug": f"shop-{number}",
        "owner_name": "Wanjiru Kamau",
        "owner_email": f"owner{number}@example.com",
        "password": STRONG_PASSWORD,
        "country": "KE",
        "currency": "KES",
        "time_zone": "Africa/Nairobi",
    }
    values.update(overrides)
    return SignupData(**values)


def schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [name])
        return cursor.fetchone() is not None


def schema_count() -> int:
    """How many schemas exist besides the spares: a signup adds one, by cloning or by renaming
    a spare, so a test can tell that nothing was made whichever way the schema would come."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname NOT LIKE %s",
            [schema_pool.SPARE_PREFIX.replace("_", r"\_") + "%"],
        )
        row = cursor.fetchone()
        assert row is not None
        return int(row[0])


def drop_schemas(names: list[str]) -> None:
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


PARKED_PREFIX = "parked_"


def park_spares() -> list[str]:
    """Hides every spare from the pool (renames it ``parked_…``); returns the parked names.

    Dropping the spares inside a test would lock every table, index and constraint of each
    (PostgreSQL's shared lock table overflows at a few spares); a rename locks one object.
    """
    parked = []
    with connection.cursor() as cursor:
        for name in schema_pool.spare_schemas():
            hidden = PARKED_PREFIX + name
            cursor.execute(f'ALTER SCHEMA "{name}" RENAME TO "{hidden}"')
            parked.append(hidden)
    return parked


def unpark_spares(names: list[str] | None = None) -> None:
    """Puts parked spares back in the pool (all of them when ``names`` is None)."""
    with connection.cursor() as cursor:
        if names is None:
            cursor.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s",
                [PARKED_PREFIX.replace("_", r"\_") + "%"],
            )
            names = [row[0] for row in cursor.fetchall()]
        for hidden in names:
            if schema_exists(hidden):
                original = hidden.removeprefix(PARKED_PREFIX)
                cursor.execute(f'ALTER SCHEMA "{hidden}" RENAME TO "{original}"')


def top_up_spares() -> int:
    """Clones current spares, each committed on its own, until the test pool is full; drops
    spares of an older template. Call it outside any test's transaction."""
    return schema_pool.refill_pool(TEST_SPARE_SCHEMAS)


# --- a renamed spare numbers its rows as a fresh clone would ----------------------------------

# How schema_pool.claim_spare renames a spare (the test below checks it still does).
_CLAIM = re.compile(r'^ALTER SCHEMA "(spare_[^"]+)" RENAME TO "([^"]+)"$')
_fresh_ids: tuple[list[str], list[str], list[int], list[bool]] | None = None


def _fresh_clone_ids() -> tuple[list[str], list[str], list[int], list[bool]]:
    """Per identity column of the template: where a fresh clone's sequence stands (the
    cloner's rule: after the highest copied id, or unused at 1 for an empty table)."""
    global _fresh_ids
    if _fresh_ids is None:
        template = schema_pool.template_schema()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname, a.attname FROM pg_attribute a "
                "JOIN pg_class c ON c.oid = a.attrelid AND c.relkind = 'r' "
                "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = %s "
                "WHERE a.attidentity <> '' AND NOT a.attisdropped ORDER BY 1, 2",
                [template],
            )
            columns = cursor.fetchall()
            highest = " UNION ALL ".join(
                f'SELECT {i}, max("{column}") FROM "{template}"."{table}"'
                for i, (table, column) in enumerate(columns)
            )
            cursor.execute(highest)
            tops = dict(cursor.fetchall())
        _fresh_ids = (
            [table for table, _ in columns],
            [column for _, column in columns],
            [tops[i] or 1 for i in range(len(columns))],
            [tops[i] is not None for i in range(len(columns))],
        )
    return _fresh_ids


def restart_ids(schema: str) -> None:
    """Sets the identity sequences of ``schema`` (a spare just renamed) as a fresh clone has
    them. Sequences ignore rollbacks, so a spare renamed by earlier tests would otherwise hand
    out higher ids each time, and a test passing on ids 1 and 2 could fail on 41 and 42."""
    tables, columns, values, called = _fresh_clone_ids()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(setval(pg_get_serial_sequence(format('%%I.%%I', %s, t), c), v, u)) "
            "FROM unnest(%s::text[], %s::text[], %s::bigint[], %s::bool[]) AS r(t, c, v, u)",
            [schema, tables, columns, values, called],
        )


def restart_ids_of_claimed_spares(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    """A database execute wrapper (tests/conftest.py installs it): after signup renames a
    spare, its ids restart."""
    result = execute(sql, params, many, context)
    claimed = _CLAIM.match(sql) if isinstance(sql, str) else None
    if claimed:
        restart_ids(claimed.group(2))
    return result


def is_transactional(request: pytest.FixtureRequest) -> bool:
    """Whether the test commits what it does (``django_db(transaction=True)``): its schemas
    and renamed spares outlive it, and the fixtures that made them put things back."""
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction"))
