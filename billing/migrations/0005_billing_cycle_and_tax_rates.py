"""Existing subscriptions get their next billing boundary; tax rates are seeded for the
countries Duka sells in (platform owners edit them in the console)."""

from decimal import Decimal

from django.db import migrations
from django.db.models import F

# Standard rates of value-added tax on services (GST in India), as of 2026.
TAX_RATES = {
    "KE": ("VAT", Decimal("0.1600")),
    "NG": ("VAT", Decimal("0.0750")),
    "GH": ("VAT", Decimal("0.1500")),
    "ZA": ("VAT", Decimal("0.1500")),
    "IN": ("GST", Decimal("0.1800")),
    "UG": ("VAT", Decimal("0.1800")),
    "TZ": ("VAT", Decimal("0.1800")),
    "RW": ("VAT", Decimal("0.1800")),
}


def forwards(apps, schema_editor):
    Subscription = apps.get_model("billing", "Subscription")
    TaxRate = apps.get_model("billing", "TaxRate")
    Subscription.objects.exclude(status="cancelled").filter(next_invoice_at=None).update(
        next_invoice_at=F("current_period_end"), usage_from=F("current_period_start")
    )
    for country, (name, rate) in TAX_RATES.items():
        TaxRate.objects.update_or_create(country=country, defaults={"name": name, "rate": rate})


def backwards(apps, schema_editor):
    apps.get_model("billing", "TaxRate").objects.filter(country__in=TAX_RATES).delete()


class Migration(migrations.Migration):
    dependencies = [("billing", "0004_invoices_and_collection")]

    operations = [migrations.RunPython(forwards, backwards)]
