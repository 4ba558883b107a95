"""Which business sent each SMS or WhatsApp message: the one public index a delivery report is
routed by.

One provider account serves every business, so a provider's delivery report arrives on the root
domain naming only its message id. The business it belongs to is read from here, never from
anything the report itself says (a phone number, a field of ours echoed back): the row is written
by the business's own send, in the same transaction that records the message as sent.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from shared_apps.tenants.models import Tenant


class MessageRoute(models.Model):
    # A Notification's ``provider`` (``africastalking``, ``whatsapp_cloud``).
    provider = models.CharField(max_length=30)
    message_id = models.CharField(max_length=200)
    # The business, not its schema's name: a schema can be renamed (the spare-schema pool), the
    # row's id stays.
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # The first business to record an id keeps it: another business's send can never
            # take a message id over, so its reports can never reach another business's log.
            models.UniqueConstraint(fields=["provider", "message_id"], name="message_route_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.message_id} → tenant {self.tenant_id}"
