"""Tasks waiting to reach the broker (docs/cluster.md, "The outbox")."""

from __future__ import annotations

from django.db import models


class OutboxMessage(models.Model):
    """A task queued by work that committed, not yet handed to the broker. It lives in the
    public schema (one drain for the platform) and says which business's schema the task runs
    in; the row goes once the broker has the message."""

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    queue = models.CharField(max_length=200, blank=True)
    schema_name = models.CharField(max_length=63)
    # A task asked for later (a countdown) is sent with this ETA, however late it is sent.
    not_before = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Sends that failed (broker away); only for the console and the logs.
    failures = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.task_name}{self.args} for {self.schema_name}"
