"""What the database itself refuses, and what the posting service refuses before it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django_tenants.utils import tenant_context

from saas_platform.errors import Conflict, ValidationFailed
from tenant_apps.ledger.chart import DEFAULT_CHART
from tenant_apps.ledger.models import Account, JournalEntry, JournalLine
from tenant_apps.ledger.posting import PostingLine, entry_post, entry_reverse, lock_date_set
from tests.ledger.conftest import Books, account

DAY = date(2026, 6, 15)


def _post(amount: str = "100", **kw: object) -> JournalEntry:
    values: dict[str, object] = {
        "date": DAY,
        "memo": "Owner puts cash in",
        "lines": [
            PostingLine("cash_drawer", debit=Decimal(amount)),
            PostingLine("owner_equity", credit=Decimal(amount)),
        ],
        "source": "manual",
    }
    values.update(kw)
    return entry_post(**values)  # type: ignore[arg-type]


def _raw_entry(cursor: object, day: date = DAY) -> int:
    cursor.execute(  # type: ignore[attr-defined]
        "INSERT INTO ledger_journalentry (date, memo, source, reference, created_at) "
        "VALUES (%s, 'raw', 'test', '', now()) RETURNING id",
        [day],
    )
    return int(cursor.fetchone()[0])  # type: ignore[attr-defined]


def _raw_line(cursor: object, entry: int, role: str, debit: str, credit: str) -> None:
    cursor.execute(  # type: ignore[attr-defined]
        "INSERT INTO ledger_journalline (entry_id, account_id, debit, debit_currency, credit, "
        "credit_currency) SELECT %s, id, %s, 'KES', %s, 'KES' FROM ledger_account WHERE role = %s",
        [entry, debit, credit, role],
    )


def test_every_business_starts_with_the_default_chart(books: Books) -> None:
    with tenant_context(books.tenant):
        codes = list(Account.objects.values_list("code", "role", "type"))
    assert codes == sorted((c, r, t) for c, _n, t, r in DEFAULT_CHART)
    with tenant_context(books.tenant):
        assert account("inventory").normal_balance == "debit"
        assert account("accounts_payable").normal_balance == "credit"


def test_the_database_refuses_an_unbalanced_entry_at_commit(books: Books) -> None:
    with tenant_context(books.tenant), connection.cursor() as cursor:
        # given an entry whose lines do not balance, written behind the service's back
        with pytest.raises(DatabaseError, match="does not balance"), transaction.atomic():
            entry = _raw_entry(cursor)
            _raw_line(cursor, entry, "cash_drawer", "100", "0")
            _raw_line(cursor, entry, "owner_equity", "0", "99.99")
            # then the deferred check fires when the transaction would commit
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        assert not JournalEntry.objects.exists()


def test_the_database_refuses_an_entry_with_one_line_or_none(books: Books) -> None:
    with tenant_context(books.tenant), connection.cursor() as cursor:
        with pytest.raises(DatabaseError, match="at least two"), transaction.atomic():
            entry = _raw_entry(cursor)
            _raw_line(cursor, entry, "cash_drawer", "100", "0")
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with pytest.raises(DatabaseError, match="at least two"), transaction.atomic():
            _raw_entry(cursor)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        assert not JournalEntry.objects.exists()


def test_a_line_with_both_sides_or_a_negative_amount_is_refused(books: Books) -> None:
    with tenant_context(books.tenant), connection.cursor() as cursor:
        entry = _post()
        for debit, credit in (("5", "5"), ("-5", "0"), ("0", "0")):
            with pytest.raises(DatabaseError), transaction.atomic():
                _raw_line(cursor, entry.pk, "cash_drawer", debit, credit)
        assert JournalLine.objects.filter(entry=entry).count() == 2


def test_posted_entries_and_lines_cannot_be_changed_or_deleted(books: Books) -> None:
    with tenant_context(books.tenant), connection.cursor() as cursor:
        entry = _post()
        for statement in (
            "UPDATE ledger_journalline SET debit = debit * 2, credit = credit * 2",
            "DELETE FROM ledger_journalline",
            "UPDATE ledger_journalentry SET memo = 'changed'",
            "DELETE FROM ledger_journalentry",
        ):
            with pytest.raises(DatabaseError, match="permanent"), transaction.atomic():
                cursor.execute(statement)
        entry.refresh_from_db()
        assert entry.memo == "Owner puts cash in"
        assert sorted(x.debit.amount for x in entry.lines.all()) == [0, 100]


def test_the_lock_date_refuses_postings_in_a_closed_period(books: Books) -> None:
    with tenant_context(books.tenant), connection.cursor() as cursor:
        lock_date_set(lock_date=DAY)
        # the service refuses with a conflict a person can act on …
        with pytest.raises(Conflict) as refused:
            _post()
        assert refused.value.code == "period_locked"
        # … and the database refuses code that goes around it
        with pytest.raises(DatabaseError, match="locked"), transaction.atomic():
            _raw_entry(cursor, DAY)
        assert not JournalEntry.objects.exists()
        # the day after the lock date is open
        assert _post(date=date(2026, 6, 16)).pk


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ([PostingLine("cash_drawer", debit=Decimal(5))], "too_few"),
        (
            [
                PostingLine("cash_drawer", debit=Decimal(5)),
                PostingLine("owner_equity", credit=Decimal(4)),
            ],
            "unbalanced",
        ),
        (
            [
                PostingLine("cash_drawer", debit=Decimal(-5)),
                PostingLine("owner_equity", credit=Decimal(-5)),
            ],
            "negative",
        ),
        (
            [
                PostingLine("cash_drawer", debit=Decimal(5), credit=Decimal(5)),
                PostingLine("owner_equity", credit=Decimal(0)),
            ],
            "one_side",
        ),
        (
            [
                PostingLine("no_such_account", debit=Decimal(5)),
                PostingLine("owner_equity", credit=Decimal(5)),
            ],
            "does_not_exist",
        ),
    ],
)
def test_the_posting_service_refuses_bad_entries(
    books: Books, lines: list[PostingLine], code: str
) -> None:
    with tenant_context(books.tenant):
        with pytest.raises(ValidationFailed) as refused:
            _post(lines=lines)
        codes = {e["code"] for errors in refused.value.fields.values() for e in errors}
        assert code in codes
        assert not JournalEntry.objects.exists()


def test_an_inactive_account_takes_no_postings(books: Books) -> None:
    with tenant_context(books.tenant):
        Account.objects.filter(role="cash_drawer").update(is_active=False)
        with pytest.raises(ValidationFailed, match="closed to postings"):
            _post()
        assert not JournalEntry.objects.exists()


def test_lines_are_rounded_to_the_minor_unit_and_accounts_found_by_code(books: Books) -> None:
    with tenant_context(books.tenant):
        entry = _post(
            lines=[
                PostingLine("1000", debit=Decimal("10.005")),
                PostingLine("3000", credit=Decimal("10.005")),
            ]
        )
        assert [(x.debit.amount, x.credit.amount) for x in entry.lines.order_by("pk")] == [
            (Decimal("10.01"), Decimal(0)),
            (Decimal(0), Decimal("10.01")),
        ]


def test_a_source_event_posts_only_once(books: Books) -> None:
    with tenant_context(books.tenant):
        _post(source="goods_receipt", reference="GRN-00001")
        with pytest.raises(Conflict) as refused:
            _post(source="goods_receipt", reference="GRN-00001")
        assert refused.value.code == "already_posted"
        assert JournalEntry.objects.count() == 1


def test_a_reversal_mirrors_the_entry_once(books: Books) -> None:
    with tenant_context(books.tenant):
        entry = _post("250")
        reversal = entry_reverse(entry_id=entry.pk, date=DAY, memo="typed twice", actor=None)
        assert reversal.reversal_of_id == entry.pk
        assert [
            (x.account.role, x.debit.amount, x.credit.amount) for x in reversal.lines.all()
        ] == [
            ("cash_drawer", Decimal(0), Decimal(250)),
            ("owner_equity", Decimal(250), Decimal(0)),
        ]
        with pytest.raises(Conflict) as twice:
            entry_reverse(entry_id=entry.pk, date=DAY, actor=None)
        assert twice.value.code == "already_reversed"
        with pytest.raises(Conflict) as of_reversal:
            entry_reverse(entry_id=reversal.pk, date=DAY, actor=None)
        assert of_reversal.value.code == "entry_is_reversal"
        assert JournalEntry.objects.count() == 2
