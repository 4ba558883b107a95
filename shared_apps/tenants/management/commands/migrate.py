"""``migrate`` for the whole platform: public schema, template, tenants, public tenant, spares.

It replaces django-tenants' own ``migrate`` (our app comes first in INSTALLED_APPS). The template
schema is not a tenant, so django-tenants would never migrate it; a stale template would hand new
businesses an old schema.
"""

from __future__ import annotations

from typing import Any

from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand

from saas_platform.tenancy import use_public_schema
from shared_apps.console.services import ensure_platform_owner
from shared_apps.tenants import schema_pool
from shared_apps.tenants.public_tenant import ensure_public_tenant


class Command(MigrateSchemasCommand):
    help = "Migrates public, the tenant template and every tenant; refreshes the spare schemas."

    def handle(self, *args: Any, **options: Any) -> None:
        super().handle(*args, **options)
        if options.get("schema_name") or options.get("app_label"):
            return  # a targeted run; leave the rest alone
        use_public_schema()
        if self.sync_public:
            ensure_public_tenant()
            ensure_platform_owner()
        if self.sync_tenant:
            schema_pool.ensure_template_migrated(verbosity=int(options.get("verbosity", 1)))
            dropped = schema_pool.drop_stale_spares()
            if dropped and options.get("verbosity", 1):
                self.stdout.write(f"Dropped {dropped} spare schemas made from an older template.")
