"""A trigger function that tenant tables use to refuse any UPDATE or DELETE of their rows.

It lives in the public schema (this app's migrations run only there) so that tenant schemas
hold no functions of their own: they are cloned and renamed, and a function inside a schema
would keep pointing at the schema it was created in.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION public.duka_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows of %.% are permanent; record a correction instead',
        TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$;
"""

DROP = "DROP FUNCTION IF EXISTS public.duka_refuse_change();"


class Migration(migrations.Migration):
    dependencies = [("tenants", "0002_tenant_last_activity_at_tenantstatuschange")]

    operations = [migrations.RunSQL(CREATE, DROP)]
