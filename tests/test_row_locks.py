"""The one row-lock helper (saas_platform/locking.py): what it locks, in which order, and that
product code locks rows through it only.

The rows locked here are permissions and content types, committed when the test database was
migrated: another connection sees them, so it can find them locked by the test's transaction.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, transaction

from saas_platform.locking import lock_row, lock_rows
from tests.support.concurrency import at_once

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("saas_platform", "shared_apps", "tenant_apps", "billing")
HELPER = Path("saas_platform/locking.py")


def _try_lock_elsewhere(model: type[Permission] | type[ContentType], pk: int) -> str:
    """From another connection: "free" if the row can be locked at once, else "locked"."""

    def job() -> str:
        with transaction.atomic():
            try:
                model.objects.select_for_update(nowait=True).filter(pk=pk).first()
            except DatabaseError:
                return "locked"
        return "free"

    [outcome] = at_once(job)
    return str(outcome)


@pytest.mark.django_db
def test_a_row_is_locked_without_the_rows_it_is_joined_to() -> None:
    # given a permission read with its content type
    permission = Permission.objects.order_by("pk").first()
    assert permission is not None

    # when it is locked
    locked = lock_row(Permission.objects.select_related("content_type"), pk=permission.pk)

    # then the permission is locked and its content type is not
    assert locked == permission
    assert locked.content_type_id == permission.content_type_id
    assert _try_lock_elsewhere(Permission, permission.pk) == "locked"
    assert _try_lock_elsewhere(ContentType, permission.content_type_id) == "free"


@pytest.mark.django_db
def test_a_missing_row_is_none() -> None:
    assert lock_row(Permission, pk=-1) is None


@pytest.mark.django_db
def test_rows_come_locked_in_key_order_whatever_order_was_asked() -> None:
    ids = list(Permission.objects.order_by("pk").values_list("pk", flat=True)[:3])

    locked = lock_rows(Permission.objects.filter(pk__in=ids).order_by("-codename"))

    assert [p.pk for p in locked] == ids
    assert all(_try_lock_elsewhere(Permission, pk) == "locked" for pk in ids)


@pytest.mark.django_db
def test_values_of_locked_rows() -> None:
    first = Permission.objects.order_by("pk").values_list("pk", "codename").first()
    assert first is not None

    assert lock_row(Permission.objects.values_list("codename", flat=True), pk=first[0]) == first[1]
    assert lock_rows(Permission.objects.values_list("pk", "codename"), limit=1) == [first]


@pytest.mark.django_db
def test_skip_locked_leaves_out_rows_held_elsewhere() -> None:
    # given two permissions, the first locked by this transaction
    held, other = Permission.objects.order_by("pk")[:2]
    lock_row(Permission, pk=held.pk)

    # when another connection locks both, skipping locked rows
    def job() -> list[int]:
        with transaction.atomic():
            rows = Permission.objects.filter(pk__in=[held.pk, other.pk])
            return [p.pk for p in lock_rows(rows, skip_locked=True)]

    [seen] = at_once(job)

    # then it gets only the free one
    assert seen == [other.pk]


def _locks_outside_the_helper(root: Path) -> list[str]:
    found = []
    for package in PRODUCT:
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root)
            if relative == HELPER or "migrations" in relative.parts:
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            found += [
                f"{relative}:{node.lineno}"
                for node in ast.walk(tree)
                if isinstance(node, ast.Attribute) and node.attr == "select_for_update"
            ]
    return found


def test_product_code_locks_rows_through_the_helper() -> None:
    assert _locks_outside_the_helper(ROOT) == []


def test_the_check_sees_a_lock_outside_the_helper(tmp_path: Path) -> None:
    module = tmp_path / "tenant_apps" / "shop" / "services.py"
    module.parent.mkdir(parents=True)
    module.write_text("def f(rows):\n    return rows.select_for_update().first()\n")

    assert _locks_outside_the_helper(tmp_path) == ["tenant_apps/shop/services.py:2"]
