"""Usage events: measured uses billed by their metric."""

from __future__ import annotations

from django.db import models

from saas_platform.quantities import quantity_field
from shared_apps.tenants.models import Tenant


class UsageEvent(models.Model):
    """One measured use (an API call by a key, a forecast run, messages sent), sent at most
    once per idempotency key: a retry with the same key records nothing more.

    Usage the product already records (completed sales) is not sent as events: it is counted
    from the business's own tables at billing time (``billing.metering``).
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="usage_events")
    metric_code = models.SlugField(max_length=40)
    quantity = quantity_field(default=1)
    # What ``unique_count`` metrics count (``{"api_key": "ab12…"}``).
    properties = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField()
    idempotency_key = models.CharField(max_length=100)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "idempotency_key"], name="billing_usage_event_once"
            ),
        ]
        indexes = [
            # Aggregating one metric of one business over a period.
            models.Index(
                fields=["tenant", "metric_code", "occurred_at"], name="billing_usage_by_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.metric_code} {self.quantity}"
