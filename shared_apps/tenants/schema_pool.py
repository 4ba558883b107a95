"""Making tenant schemas quickly: a migrated template, clones of it, and spares cloned ahead.

Cloning costs time per table (see ``schema_clone``), so it grows with every tenant app we add.
Renaming a ready schema costs under a millisecond at any size. We therefore keep a few spare
clones of the template, named ``spare_<fingerprint>_<random>``; signup renames one to the
tenant's schema name inside its own transaction (a rollback gives it back) and falls back to
cloning when none is left. The fingerprint digests the template's applied migrations, so a spare
made before a migration is never handed out; ``manage.py migrate`` drops stale ones.

No SQL stored in a schema may name the schema itself, or a renamed spare would point at the old
name.
"""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django_tenants.utils import schema_exists

from saas_platform.tenancy import use_public_schema
from shared_apps.tenants.schema_clone import clone_schema

logger = logging.getLogger(__name__)

SPARE_PREFIX = "spare_"
# The task that tops the pool up (shared_apps/tenants/tasks.py); a signup queues it.
REFILL_TASK = "tenants.refill_schema_pool"


def template_schema() -> str:
    return str(settings.TENANT_TEMPLATE_SCHEMA)


def template_fingerprint() -> str | None:
    """A short digest of the migrations applied to the template, or None if it is missing."""
    if not schema_exists(template_schema()):
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT md5(coalesce(string_agg(app || '.' || name, ',' ORDER BY app, name), '')) "  # noqa: S608
            f'FROM "{template_schema()}".django_migrations'
        )
        row = cursor.fetchone()
    return str(row[0])[:12] if row else None


def ensure_template_migrated(*, verbosity: int = 1) -> None:
    """Creates the template schema when missing and applies every tenant migration to it."""
    name = template_schema()
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{name}"')
    call_command(
        "migrate_schemas",
        schema_name=name,
        tenant=True,
        interactive=False,
        verbosity=verbosity,
    )
    use_public_schema()


def clone_template(target: str) -> None:
    """Creates ``target`` as a copy of the template: tables, indexes, constraints and rows."""
    if not schema_exists(template_schema()):
        raise RuntimeError(
            f"The template schema {template_schema()!r} is missing; run `manage.py migrate`."
        )
    clone_schema(template_schema(), target)


def migrate_new_schema(target: str) -> None:
    """The slow path, kept for benchmarks and for a database without a template."""
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{target}"')
    call_command("migrate_schemas", schema_name=target, tenant=True, interactive=False, verbosity=0)
    use_public_schema()


def claim_spare(target: str) -> bool:
    """Renames a current spare to ``target``. Call inside the provisioning transaction."""
    fingerprint = template_fingerprint()
    if fingerprint is None:
        return False
    with connection.cursor() as cursor:
        for name in _spares_made_from(fingerprint):
            # One advisory lock per attempt (held until commit or rollback) so that concurrent
            # signups each take a different spare. Locking inside a multi-row query would lock
            # every row the query looked at, starving the other signups.
            cursor.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", [name])
            row = cursor.fetchone()
            if not (row and row[0]):
                continue
            try:
                with transaction.atomic():
                    cursor.execute(f'ALTER SCHEMA "{name}" RENAME TO "{target}"')
            except DatabaseError:
                # Claimed and committed by another signup after we listed it.
                logger.info("spare schema %s was taken meanwhile", name)
                continue
            return True
    return False


def spare_schemas() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s ORDER BY nspname",
            [f"{SPARE_PREFIX}%"],
        )
        return [row[0] for row in cursor.fetchall()]


def _spares_made_from(fingerprint: str) -> list[str]:
    return [s for s in spare_schemas() if s.startswith(f"{SPARE_PREFIX}{fingerprint}_")]


def drop_stale_spares() -> int:
    """Drops spares made from an older template; returns how many were dropped."""
    fingerprint = template_fingerprint()
    stale = [s for s in spare_schemas() if not s.startswith(f"{SPARE_PREFIX}{fingerprint}_")]
    with connection.cursor() as cursor:
        for name in stale:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    return len(stale)


def refill_pool(size: int | None = None) -> int:
    """Clones spares until ``size`` current ones exist; returns how many were made."""
    target_size = settings.TENANT_SCHEMA_POOL_SIZE if size is None else size
    fingerprint = template_fingerprint()
    if fingerprint is None:
        return 0
    drop_stale_spares()
    made = 0
    for _ in range(max(0, target_size - len(_spares_made_from(fingerprint)))):
        with transaction.atomic():
            clone_template(f"{SPARE_PREFIX}{fingerprint}_{secrets.token_hex(4)}")
        made += 1
    return made


def make_tenant_schema(target: str, *, strategy: str | None = None) -> str:
    """Creates the schema for a new tenant; returns how it was made (for logs and benchmarks)."""
    strategy = strategy or settings.TENANT_PROVISIONING_STRATEGY
    if strategy == "pool" and claim_spare(target):
        return "pool"
    if strategy in ("pool", "clone"):
        clone_template(target)
        return "clone"
    if strategy == "migrate":
        migrate_new_schema(target)
        return "migrate"
    raise ValueError(f"Unknown provisioning strategy {strategy!r}")
