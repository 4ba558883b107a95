"""Account and points entries are the customer's history: the database refuses edits of them.

The function is in the public schema (tenants migration 0003); only the triggers live here, so
the cloner copies them.
"""

from django.db import migrations

CREATE = """
CREATE TRIGGER customers_credit_entry_permanent BEFORE UPDATE OR DELETE
    ON customers_creditentry FOR EACH ROW EXECUTE FUNCTION public.duka_refuse_change();
CREATE TRIGGER customers_loyalty_entry_permanent BEFORE UPDATE OR DELETE
    ON customers_loyaltyentry FOR EACH ROW EXECUTE FUNCTION public.duka_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS customers_credit_entry_permanent ON customers_creditentry;
DROP TRIGGER IF EXISTS customers_loyalty_entry_permanent ON customers_loyaltyentry;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0001_initial"),
        ("tenants", "0003_refuse_change_function"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP)]
