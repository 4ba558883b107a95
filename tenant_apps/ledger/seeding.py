"""Every new business starts with a chart of accounts that every posting in Duka can rely on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared_apps.tenants.seed_hooks import register_seed_hook
from tenant_apps.ledger.chart import DEFAULT_CHART
from tenant_apps.ledger.models import Account, LedgerSettings

if TYPE_CHECKING:
    from shared_apps.tenants.models import Tenant
    from shared_apps.users.models import User


@register_seed_hook("ledger.chart_of_accounts", order=20)
def seed_chart_of_accounts(*, tenant: Tenant, owner: User) -> None:
    # Schemas cloned from the template already hold the chart (migration 0003 put it there);
    # a schema made by running the migrations too. This covers any that have none.
    if not Account.objects.exists():
        Account.objects.bulk_create(
            [
                Account(code=code, name=name, type=kind, role=role)
                for code, name, kind, role in DEFAULT_CHART
            ]
        )
    LedgerSettings.objects.get_or_create(pk=1)
