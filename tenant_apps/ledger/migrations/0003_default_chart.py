"""Gives schemas that existed before the ledger (and the template) the default chart.

Without it, a business made before this release could not receive goods or pay a supplier:
those post to accounts found by role. Schemas that already have accounts are left alone.
"""

from typing import Any

from django.db import migrations

from tenant_apps.ledger.chart import DEFAULT_CHART


def seed(apps: Any, schema_editor: Any) -> None:
    account = apps.get_model("ledger", "Account")
    if not account.objects.exists():
        account.objects.bulk_create(
            [
                account(code=code, name=name, type=kind, role=role)
                for code, name, kind, role in DEFAULT_CHART
            ]
        )
    apps.get_model("ledger", "LedgerSettings").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_books_are_permanent")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
