"""``manage.py verify_audit_chain [--tenant SLUG | --public]``: recompute audit hash chains."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import get_public_schema_name, schema_context

from shared_apps.tenants.models import Tenant
from tenant_apps.audit.chain import verify_chain


class Command(BaseCommand):
    help = (
        "Recomputes the audit trail's hash chain and reports the first broken link. "
        "Without options: the public schema and every business. Exits 1 when a chain is broken."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--tenant", metavar="SLUG", help="only this business")
        which.add_argument("--public", action="store_true", help="only the platform's schema")

    def handle(self, *args: Any, **options: Any) -> None:
        public = get_public_schema_name()
        if options["tenant"]:
            tenant = Tenant.objects.exclude(schema_name=public).filter(slug=options["tenant"])
            schemas = list(tenant.values_list("schema_name", flat=True))
            if not schemas:
                raise CommandError(f"No business with the slug {options['tenant']!r}.")
        elif options["public"]:
            schemas = [public]
        else:
            others = Tenant.objects.exclude(schema_name=public).order_by("schema_name")
            schemas = [public, *others.values_list("schema_name", flat=True)]
        broken = 0
        for schema in schemas:
            with schema_context(schema):
                report = verify_chain()
            if report.ok:
                self.stdout.write(
                    f"{schema}: intact, {report.entries} entries, head {report.head_hash}"
                )
            else:
                broken += 1
                self.stderr.write(
                    f"{schema}: BROKEN at entry {report.broken_entry_id}: {report.reason} "
                    f"({report.entries} entries verified before it)"
                )
        if broken:
            raise CommandError(f"{broken} audit chain(s) broken.", returncode=1)
