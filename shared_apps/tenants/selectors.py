from __future__ import annotations

from django.db.models import QuerySet

from shared_apps.tenants.models import Tenant


def tenant_list() -> QuerySet[Tenant]:
    return Tenant.objects.exclude(schema_name="public").prefetch_related("domains")


def tenant_by_slug(slug: str) -> Tenant | None:
    return Tenant.objects.filter(slug=slug).first()


def tenants_owned_by(email: str) -> QuerySet[Tenant]:
    """The businesses signed up with ``email`` (case-insensitive), for the "find my business"
    e-mail; staff are listed in their business's own schema, which the root domain never reads."""
    return tenant_list().filter(owner_email__iexact=email.strip()).order_by("name")
