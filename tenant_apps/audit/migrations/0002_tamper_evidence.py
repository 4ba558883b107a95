"""Audit entries and their chain links are permanent, and every new entry is chained.

The trigger functions live in the public schema (``tenants`` migrations 0003 and 0006) and take
the schema from ``TG_TABLE_SCHEMA``, so these triggers survive cloning and renaming.
TRUNCATE is not refused: it is how test runs empty their tables, and it needs the table owner.
"""

from django.db import migrations

FORWARD = """
CREATE TRIGGER audit_entry_permanent BEFORE UPDATE OR DELETE ON auditlog_logentry
    FOR EACH ROW EXECUTE FUNCTION public.duka_refuse_change();
CREATE TRIGGER audit_entry_chained AFTER INSERT ON auditlog_logentry
    FOR EACH ROW EXECUTE FUNCTION public.duka_audit_chain_append();
CREATE TRIGGER audit_chainlink_permanent BEFORE UPDATE OR DELETE ON audit_chainlink
    FOR EACH ROW EXECUTE FUNCTION public.duka_refuse_change();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audit_chainlink_permanent ON audit_chainlink;
DROP TRIGGER IF EXISTS audit_entry_chained ON auditlog_logentry;
DROP TRIGGER IF EXISTS audit_entry_permanent ON auditlog_logentry;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("auditlog", "0017_add_actor_email"),
        ("tenants", "0006_audit_chain_functions"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
