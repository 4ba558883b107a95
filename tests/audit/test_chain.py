"""Audit entries are permanent and hash-chained; the verifier finds the first tampered entry."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django_tenants.utils import schema_context

from shared_apps.tenants.audit_chain import (
    GENESIS_HASH,
    canonical_text,
    canonical_text_sql,
    chain_hash,
    field_text_sql,
)
from shared_apps.tenants.models import Tenant
from tenant_apps.audit.chain import ChainReport, verify_chain
from tenant_apps.audit.models import ChainLink
from tenant_apps.inventory.models import Location

pytestmark = pytest.mark.django_db


def _add_locations(tenant: Tenant, count: int, prefix: str = "L") -> list[int]:
    with schema_context(tenant.schema_name):
        return [
            Location.objects.create(code=f"{prefix}{n}", name=f"Place {n}", kind="warehouse").pk
            for n in range(count)
        ]


def _entry_ids(tenant: Tenant) -> list[int]:
    with schema_context(tenant.schema_name):
        return list(
            LogEntry.objects.filter(content_type__model="location")
            .order_by("id")
            .values_list("id", flat=True)
        )


@pytest.fixture
def without_permanence(business: Tenant) -> Iterator[Callable[[str], None]]:
    """Runs SQL with the entry's protecting trigger off: someone with full database access."""

    def run(sql: str) -> None:
        with schema_context(business.schema_name), connection.cursor() as cursor:
            # ALTER TABLE waits for no deferred foreign-key checks: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE auditlog_logentry DISABLE TRIGGER audit_entry_permanent")
            cursor.execute(sql)
            cursor.execute("ALTER TABLE auditlog_logentry ENABLE TRIGGER audit_entry_permanent")

    yield run


def test_sql_and_python_give_the_same_canonical_text_and_hash(business: Tenant) -> None:
    # given entries with non-ASCII text, separators in values, JSON and a null actor
    with schema_context(business.schema_name):
        Location.objects.create(code="Ü|1:x", name="Duka la Mama — Ñairobi", kind="warehouse")
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {canonical_text_sql()}, {field_text_sql()} "
                "FROM auditlog_logentry r ORDER BY r.id"
            )
            rows = cursor.fetchall()
        links = list(ChainLink.objects.order_by("sequence"))
    assert rows and len(rows) == len(links)
    previous = GENESIS_HASH
    for (sql_text, *fields), link in zip(rows, links, strict=True):
        # then Python frames the rendered fields exactly as SQL does, and the hashes agree
        assert canonical_text(fields) == sql_text
        assert link.previous_hash == previous
        assert chain_hash(previous, sql_text) == link.hash
        previous = link.hash
    assert verify_chain_of(business).ok


def verify_chain_of(tenant: Tenant) -> ChainReport:
    with schema_context(tenant.schema_name):
        return verify_chain()


@pytest.mark.parametrize("statement", ["UPDATE {t} SET {c}", "DELETE FROM {t}"])
def test_entries_and_links_cannot_be_changed_or_deleted(business: Tenant, statement: str) -> None:
    _add_locations(business, 1)
    targets = [
        ("auditlog_logentry", "object_repr = 'forged'"),
        ("audit_chainlink", "hash = repeat('0', 64)"),
    ]
    with schema_context(business.schema_name):
        before = list(LogEntry.objects.values_list("id", "object_repr"))
        for table, change in targets:
            with (
                pytest.raises(DatabaseError, match="permanent"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(statement.format(t=table, c=change))
        # nothing changed
        assert list(LogEntry.objects.values_list("id", "object_repr")) == before
        assert ChainLink.objects.count() == len(before)


def test_verifier_names_the_entry_whose_content_was_edited(
    business: Tenant, without_permanence: Callable[[str], None], capsys: pytest.CaptureFixture[str]
) -> None:
    _add_locations(business, 3)
    ids = _entry_ids(business)
    call_command("verify_audit_chain", tenant=business.slug)
    assert "intact" in capsys.readouterr().out
    # when someone with database access rewrites the second entry's content
    without_permanence(f"UPDATE auditlog_logentry SET object_repr = 'forged' WHERE id = {ids[1]}")
    # then the verifier fails, naming that entry
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit_chain", tenant=business.slug)
    assert failure.value.returncode == 1
    assert f"BROKEN at entry {ids[1]}: the entry's content no longer matches" in (
        capsys.readouterr().err
    )


def test_verifier_notices_an_entry_slipped_in_without_a_link(business: Tenant) -> None:
    _add_locations(business, 1)
    with schema_context(business.schema_name), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE auditlog_logentry DISABLE TRIGGER audit_entry_chained")
        cursor.execute(
            "INSERT INTO auditlog_logentry (content_type_id, object_pk, object_repr, action, "
            "changes_text, timestamp) SELECT content_type_id, '999', 'ghost', 0, '', now() "
            "FROM auditlog_logentry LIMIT 1 RETURNING id"
        )
        (ghost,) = cursor.fetchone() or (None,)
        cursor.execute("ALTER TABLE auditlog_logentry ENABLE TRIGGER audit_entry_chained")
        report = verify_chain()
    assert (report.broken_entry_id, report.reason) == (ghost, "the entry has no link in the chain")


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_unbroken_chain(make_tenant: Callable[..., Tenant]) -> None:
    tenant = make_tenant(business_name="Busy Shop")
    errors: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            _add_locations(tenant, 5, prefix=f"T{number}-")
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with schema_context(tenant.schema_name):
        sequences = list(ChainLink.objects.values_list("sequence", flat=True))
        report = verify_chain()
    assert sequences == list(range(1, len(sequences) + 1))
    assert report.ok and report.entries == len(sequences) >= 20
