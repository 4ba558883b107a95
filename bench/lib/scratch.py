"""A scratch database for benchmarks, beside the configured one, dropped afterwards."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The project's packages (and tests/support) import from the repository root.
sys.path.insert(0, str(ROOT))


@contextmanager
def scratch_django(name: str) -> Iterator[None]:
    """Sets Django up on a fresh database ``name``, migrated, and drops it on the way out."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saas_platform.settings")
    os.environ.setdefault("DEBUG", "true")
    os.environ["DATABASE_NAME_OVERRIDE"] = name
    import django
    from django.conf import settings

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    def admin(sql: str) -> None:
        with connection._nodb_cursor() as cursor:
            cursor.execute(sql)

    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{name}"')
    try:
        call_command("migrate", interactive=False, verbosity=0)
        assert settings.DATABASES["default"]["NAME"] == name
        yield
    finally:
        connection.close()
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
