"""The trigger function that chains every audit entry to the one before it, per schema.

It lives in the public schema, like ``duka_refuse_change``, because tenant schemas are cloned and
renamed and must hold no functions. It finds the schema's tables through ``TG_TABLE_SCHEMA``.
The canonical text and the hash are defined once, in ``shared_apps.tenants.audit_chain``, which
the Python verifier (``manage.py verify_audit_chain``) uses too.
"""

from django.db import migrations

from shared_apps.tenants.audit_chain import GENESIS_HASH, canonical_text_sql


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_SELECT_CANONICAL = (
    "SELECT " + canonical_text_sql() + " FROM %I.auditlog_logentry r WHERE r.id = $1"
)

APPEND = f"""
CREATE OR REPLACE FUNCTION public.duka_audit_chain_append() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    canonical text;
    last_sequence bigint;
    last_hash text;
BEGIN
    -- One appender at a time per schema, held to commit, so two transactions never chain to
    -- the same predecessor. Under READ COMMITTED the query below, run after the lock is
    -- granted, sees the link the previous holder committed.
    PERFORM pg_advisory_xact_lock(hashtext(TG_TABLE_SCHEMA || '.audit'));
    EXECUTE format(
        'SELECT sequence, hash FROM %I.audit_chainlink ORDER BY sequence DESC LIMIT 1',
        TG_TABLE_SCHEMA
    ) INTO last_sequence, last_hash;
    last_hash := coalesce(last_hash, {_literal(GENESIS_HASH)});
    -- Read back from the table rather than from NEW, so that what is hashed is exactly what
    -- was stored (after every BEFORE trigger and type coercion).
    EXECUTE format({_literal(_SELECT_CANONICAL)}, TG_TABLE_SCHEMA) INTO canonical USING NEW.id;
    EXECUTE format(
        'INSERT INTO %I.audit_chainlink (entry_id, sequence, previous_hash, hash) '
        'VALUES ($1, $2, $3, $4)',
        TG_TABLE_SCHEMA
    ) USING NEW.id, coalesce(last_sequence, 0) + 1, last_hash,
        encode(sha256(convert_to(last_hash || canonical, 'UTF8')), 'hex');
    RETURN NULL;
END
$$;
"""

DROP = "DROP FUNCTION IF EXISTS public.duka_audit_chain_append();"


class Migration(migrations.Migration):
    dependencies = [("tenants", "0005_ledger_functions")]

    operations = [migrations.RunSQL(APPEND, DROP)]
