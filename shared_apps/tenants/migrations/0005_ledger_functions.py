"""Trigger functions that keep every business's books sound, whatever code writes to them.

Like ``duka_refuse_change`` they live in the public schema (this app migrates only there),
because tenant schemas are cloned and renamed and must hold no functions of their own. Each
function finds the business's tables through ``TG_TABLE_SCHEMA`` — the schema of the row that
fired it — never through a schema name written down here.
"""

from django.db import migrations

BALANCED = """
CREATE OR REPLACE FUNCTION public.duka_check_entry_balanced() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    entry_id bigint;
    line_count integer;
    debits numeric;
    credits numeric;
BEGIN
    -- Fired (deferred, at commit) by new entries and by new lines, so an entry that never
    -- got its lines is refused as well as one whose lines do not balance.
    IF TG_TABLE_NAME = 'ledger_journalentry' THEN
        entry_id := NEW.id;
    ELSE
        entry_id := NEW.entry_id;
    END IF;
    EXECUTE format(
        'SELECT count(*), coalesce(sum(debit), 0), coalesce(sum(credit), 0) '
        'FROM %I.ledger_journalline WHERE entry_id = $1',
        TG_TABLE_SCHEMA
    ) INTO line_count, debits, credits USING entry_id;
    IF line_count < 2 THEN
        RAISE EXCEPTION 'journal entry % in % has % line(s); an entry needs at least two',
            entry_id, TG_TABLE_SCHEMA, line_count
            USING ERRCODE = 'check_violation';
    END IF;
    IF debits <> credits THEN
        RAISE EXCEPTION 'journal entry % in % does not balance: debits %, credits %',
            entry_id, TG_TABLE_SCHEMA, debits, credits
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;
"""

LOCK_DATE = """
CREATE OR REPLACE FUNCTION public.duka_refuse_locked_entry() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    locked_through date;
BEGIN
    EXECUTE format('SELECT lock_date FROM %I.ledger_ledgersettings WHERE id = 1', TG_TABLE_SCHEMA)
        INTO locked_through;
    IF locked_through IS NOT NULL AND NEW.date <= locked_through THEN
        RAISE EXCEPTION 'the books of % are locked through %; entry dated % refused',
            TG_TABLE_SCHEMA, locked_through, NEW.date
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
"""

DROP = """
DROP FUNCTION IF EXISTS public.duka_check_entry_balanced();
DROP FUNCTION IF EXISTS public.duka_refuse_locked_entry();
"""


class Migration(migrations.Migration):
    dependencies = [("tenants", "0004_tenant_prices_include_tax")]

    operations = [migrations.RunSQL(BALANCED + LOCK_DATE, DROP)]
