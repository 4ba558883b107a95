"""M-Pesa and Airtel payers are stored in E.164 with its plus (``+254712345678``), as
``saas_platform/phones.py`` writes them; rows written before held the same digits without it.
The gateways give each provider its own form (docs/decisions/0014)."""

from django.db import migrations

PHONE_PROVIDERS = "('mpesa', 'airtel')"
TO_E164 = (
    "UPDATE payments_payment SET payer = '+' || payer "
    f"WHERE provider IN {PHONE_PROVIDERS} AND payer ~ '^[0-9]+$'"
)
TO_DIGITS = (
    "UPDATE payments_payment SET payer = ltrim(payer, '+') "
    f"WHERE provider IN {PHONE_PROVIDERS} AND payer LIKE '+%'"
)


class Migration(migrations.Migration):
    dependencies = [("payments", "0002_refund_method_receipt")]

    operations = [migrations.RunSQL(TO_E164, TO_DIGITS)]
