"""Fixtures of the provisioning tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.tenants import is_transactional, park_spares, unpark_spares


@pytest.fixture
def no_spares(db: None, request: pytest.FixtureRequest) -> Iterator[None]:
    """The pool empty, as in a database no refill has run on: tests of the pool start here.

    The session's spares are parked (renamed aside), not dropped: in a rolled-back test the
    rollback brings them back; after a transactional one, they are put back here."""
    parked = park_spares()
    yield
    if is_transactional(request):
        unpark_spares(parked)
