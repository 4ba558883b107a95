"""Checks that every stock level equals the sum of its movements and of its open batches."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import schema_context

from shared_apps.tenants.selectors import tenant_by_slug, tenant_list
from tenant_apps.inventory.selectors import stock_drift


class Command(BaseCommand):
    help = "Reports stock levels that drifted from their movements; exits 1 if any did."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", help="Business slug; default: every business.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["tenant"]:
            tenant = tenant_by_slug(options["tenant"])
            if tenant is None:
                raise CommandError(f"No business with slug {options['tenant']!r}.")
            tenants = [tenant]
        else:
            tenants = list(tenant_list())
        drifted = 0
        for tenant in tenants:
            with schema_context(tenant.schema_name):
                for drift in stock_drift():
                    drifted += 1
                    self.stdout.write(
                        f"{tenant.slug}: product {drift.product_id} at location "
                        f"{drift.location_id}: level {drift.level}, movements sum to "
                        f"{drift.movements}, open batches hold {drift.batches}"
                    )
        if drifted:
            raise CommandError(f"{drifted} stock levels drifted.", returncode=1)
        self.stdout.write(self.style.SUCCESS(f"Stock is consistent in {len(tenants)} businesses."))
