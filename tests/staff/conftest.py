"""The people fixtures moved to tests/conftest.py; these names stay importable from here."""

from tests.conftest import login, owner_of

__all__ = ["login", "owner_of"]
