"""Database guarantees of the books: balanced entries, no edits, nothing in a locked period.

The functions are in the public schema (tenants migration 0005, and 0003 for
``duka_refuse_change``); only the triggers live here, so the cloner copies them.
"""

from django.db import migrations

CREATE = """
CREATE CONSTRAINT TRIGGER ledger_line_balanced AFTER INSERT OR UPDATE ON ledger_journalline
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION public.duka_check_entry_balanced();
CREATE CONSTRAINT TRIGGER ledger_entry_has_lines AFTER INSERT ON ledger_journalentry
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION public.duka_check_entry_balanced();
CREATE TRIGGER ledger_entry_not_locked BEFORE INSERT ON ledger_journalentry
    FOR EACH ROW EXECUTE FUNCTION public.duka_refuse_locked_entry();
CREATE TRIGGER ledger_entry_permanent BEFORE UPDATE OR DELETE ON ledger_journalentry
    FOR EACH ROW EXECUTE FUNCTION public.duka_refuse_change();
CREATE TRIGGER ledger_line_permanent BEFORE UPDATE OR DELETE ON ledger_journalline
    FOR EACH ROW EXECUTE FUNCTION public.duka_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS ledger_line_balanced ON ledger_journalline;
DROP TRIGGER IF EXISTS ledger_entry_has_lines ON ledger_journalentry;
DROP TRIGGER IF EXISTS ledger_entry_not_locked ON ledger_journalentry;
DROP TRIGGER IF EXISTS ledger_entry_permanent ON ledger_journalentry;
DROP TRIGGER IF EXISTS ledger_line_permanent ON ledger_journalline;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0001_initial"),
        ("tenants", "0005_ledger_functions"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP)]
