"""The hash chain over auditlog's entries: one link per entry, written by a database trigger."""

from __future__ import annotations

from django.db import models


class ChainLink(models.Model):
    """Entry ``entry`` is number ``sequence`` in its schema's chain.

    ``hash`` is sha256(``previous_hash`` + the entry's canonical text); see
    ``shared_apps.tenants.audit_chain``. Rows are inserted only by the trigger function
    ``public.duka_audit_chain_append`` and can be neither updated nor deleted.
    """

    entry = models.OneToOneField(
        "auditlog.LogEntry", on_delete=models.PROTECT, related_name="chain_link"
    )
    sequence = models.BigIntegerField(unique=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["sequence"]

    def __str__(self) -> str:
        return f"#{self.sequence} → entry {self.entry_id}"
