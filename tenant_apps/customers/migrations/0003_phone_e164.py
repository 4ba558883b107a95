"""Phones are stored in E.164 with its plus (``+254712345678``), as ``saas_platform/phones.py``
writes them; rows written before held the same digits without it (docs/decisions/0014)."""

from django.db import migrations, models

TO_E164 = "UPDATE customers_customer SET phone = '+' || phone WHERE phone ~ '^[0-9]+$'"
TO_DIGITS = "UPDATE customers_customer SET phone = ltrim(phone, '+') WHERE phone LIKE '+%'"


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_entries_are_permanent")]

    operations = [
        migrations.AlterField(
            model_name="customer",
            name="phone",
            field=models.CharField(
                blank=True, help_text="E.164, e.g. +254712345678.", max_length=16
            ),
        ),
        migrations.RunSQL(TO_E164, TO_DIGITS),
    ]
