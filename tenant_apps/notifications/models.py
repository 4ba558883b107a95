"""The notification log, people's preferences and quiet hours, and the business's own settings.

A row of the log is made before anything is sent, under a unique idempotency key naming the
event (``low_stock:alert:12:email:user:3``): a task that runs twice finds the row and does not
send again (docs/notifications.md, "Sent once")."""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tenant_apps.notifications.kinds import Channel, Kind


class Status(models.TextChoices):
    QUEUED = "queued", "Queued"  # made, not yet handed to a provider (or held: send_after)
    SENDING = "sending", "Sending"  # claimed by one process, which is talking to the provider
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SUPPRESSED = "suppressed", "Suppressed"  # the person turned this kind off on this channel
    # The process died between handing it to the provider and recording the answer: it may or
    # may not have gone, and it is never sent again (the providers cannot deduplicate).
    UNKNOWN = "unknown", "Outcome unknown"


FINAL = frozenset({Status.SENT, Status.FAILED, Status.SUPPRESSED, Status.UNKNOWN})


class DeliveryStatus(models.TextChoices):
    """Whether an SMS or WhatsApp message reached the phone, as the provider's delivery reports
    say (docs/notifications.md, "Delivery reports"). ``sent`` (the status) only means the
    provider took it."""

    UNTRACKED = "untracked", "Not tracked"  # e-mail, or never handed to an SMS/WhatsApp provider
    PENDING = "pending", "No report yet"  # taken by the provider, nothing heard since
    SENT = "sent", "Sent to the network"  # on its way (AT Sent/Submitted/Buffered, WhatsApp sent)
    FAILED = "failed", "Not delivered"
    DELIVERED = "delivered", "Delivered"
    READ = "read", "Read"  # WhatsApp only


# Reports come late, twice and out of order: one is applied only if it says more than what is
# recorded. A failure beats "on its way" (a late "sent" does not undo it); a delivery beats a
# failure (the phone has it, whatever was said before); "read" implies delivered.
DELIVERY_RANK = {
    DeliveryStatus.UNTRACKED: 0,
    DeliveryStatus.PENDING: 0,
    DeliveryStatus.SENT: 1,
    DeliveryStatus.FAILED: 2,
    DeliveryStatus.DELIVERED: 3,
    DeliveryStatus.READ: 4,
}


class Notification(models.Model):
    key = models.CharField(max_length=400, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # Who it is for, as the key names them: "user:3", "customer:12", "owner", "to:<address>".
    target = models.CharField(max_length=300)
    # An e-mail address or an E.164 phone number.
    recipient = models.CharField(max_length=254)
    # The staff member it is for (None: a customer, or the owner's address from billing).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)  # the plain text (what an SMS or WhatsApp message says)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    send_after = models.DateTimeField(null=True, blank=True)  # held for quiet hours
    attempts = models.PositiveSmallIntegerField(default=0)
    provider = models.CharField(max_length=30, blank=True)
    provider_message_id = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=500, blank=True)
    delivery_status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.UNTRACKED
    )
    # When the phone had it (the provider's time where it says one, else when we heard).
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivery_error = models.CharField(max_length=300, blank=True)  # why it was not delivered
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["kind", "target", "created_at"]),
            # A delivery report names the provider's message id only.
            models.Index(fields=["provider_message_id"], name="notification_provider_msg_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="notification_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(delivery_status__in=DeliveryStatus.values),
                name="notification_delivery_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.channel} → {self.recipient} ({self.status})"

    @property
    def summary(self) -> str:
        text = " ".join(self.body.split())
        return text if len(text) <= 160 else text[:159] + "…"


class NotificationPreference(models.Model):
    """A person's choice for one kind on one channel; no row = the default for their role."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    enabled = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "channel"], name="notification_preference_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} by {self.channel}: {'on' if self.enabled else 'off'}"


class NotificationProfile(models.Model):
    """Where a person's SMS and WhatsApp messages go, and their own quiet hours (local time of
    the business; both empty = the business's)."""

    # No reverse accessor on User: User lives in the public schema too, where this table does
    # not exist, and the audit log reads every one-to-one accessor of a saved user.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    phone = models.CharField(max_length=16, blank=True, help_text="E.164")
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(quiet_start__isnull=True, quiet_end__isnull=True)
                | Q(quiet_start__isnull=False, quiet_end__isnull=False),
                name="notification_profile_quiet_both_or_neither",
            )
        ]

    def __str__(self) -> str:
        return f"notifications of user {self.user_id}"


class NotificationSettings(models.Model):
    """The business's own: its quiet hours (for customers, and for people with none of their
    own) and how its customers hear about overdue credit. One row (pk 1)."""

    quiet_start = models.TimeField(null=True, blank=True, default=time(21, 0))
    quiet_end = models.TimeField(null=True, blank=True, default=time(7, 0))
    credit_reminders = models.BooleanField(default=True)
    credit_reminder_channel = models.CharField(
        max_length=10, choices=Channel.choices, default=Channel.SMS
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="notification_settings_single_row"),
            models.CheckConstraint(
                condition=Q(quiet_start__isnull=True, quiet_end__isnull=True)
                | Q(quiet_start__isnull=False, quiet_end__isnull=False),
                name="notification_settings_quiet_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return "notification settings"
