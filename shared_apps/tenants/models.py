from __future__ import annotations

from django.db import models
from django_tenants.models import DomainMixin, TenantMixin


class TenantStatus(models.TextChoices):
    TRIALING = "trialing", "Trialing"
    ACTIVE = "active", "Active"
    PAST_DUE = "past_due", "Past due"
    SUSPENDED = "suspended", "Suspended"
    CANCELLED = "cancelled", "Cancelled"


# Statuses in which the business can no longer use its site.
BLOCKED_STATUSES = frozenset({TenantStatus.SUSPENDED, TenantStatus.CANCELLED})


class Tenant(TenantMixin):
    """A business, and the PostgreSQL schema that holds all of its data."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    status = models.CharField(
        max_length=20, choices=TenantStatus.choices, default=TenantStatus.TRIALING
    )
    status_reason = models.CharField(max_length=500, blank=True)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2")
    currency = models.CharField(max_length=3, help_text="ISO 4217")
    time_zone = models.CharField(max_length=64, help_text="IANA time zone")
    # Whether catalog prices already include VAT (usual for retail) or have it added at the till.
    prices_include_tax = models.BooleanField(default=True)
    owner_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Refreshed at most every few minutes by the routing middleware (see activity.py).
    last_activity_at = models.DateTimeField(null=True, blank=True)

    # Provisioning makes the schema itself, inside the same transaction as this row.
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        ordering = ["slug"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=TenantStatus.values), name="tenant_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.slug})"

    @property
    def is_blocked(self) -> bool:
        return self.status in BLOCKED_STATUSES


class Domain(DomainMixin):
    """A host name routed to a tenant (``<slug>.<PLATFORM_DOMAIN>``, later custom domains)."""


class TenantStatusChange(models.Model):
    """Who changed a business's status, when and why (suspensions, reactivations, billing)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=TenantStatus.choices)
    to_status = models.CharField(max_length=20, choices=TenantStatus.choices)
    reason = models.CharField(max_length=500, blank=True)
    actor_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.tenant_id}: {self.from_status} -> {self.to_status}"
