from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0002_batch_reservation_stockalert_stockcount_and_more"),
        ("tenants", "0003_refuse_change_function"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE TRIGGER stock_movement_permanent BEFORE UPDATE OR DELETE "
            "ON inventory_stockmovement FOR EACH ROW EXECUTE FUNCTION public.duka_refuse_change();",
            "DROP TRIGGER IF EXISTS stock_movement_permanent ON inventory_stockmovement;",
        )
    ]
