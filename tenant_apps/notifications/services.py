"""Sending one notification, once: claim the log row, send, record the outcome.

The protocol (docs/notifications.md, "Sent once"):

1. **Claim.** The row is inserted under its unique key (``INSERT … ON CONFLICT DO NOTHING``).
   A task that runs twice finds the row and goes no further than its status allows.
2. **Hold or send.** An SMS or WhatsApp message in the recipient's quiet hours is held: the row
   gets ``send_after`` and a ``notifications.deliver`` task is queued through the outbox for
   that moment, in one transaction. Otherwise it is delivered now.
3. **Deliver.** Under a row lock, ``queued`` becomes ``sending`` (committed) before the provider
   is called, and ``sent``/``failed`` is recorded after. A run that finds ``sending`` does not
   send: another process is at it, or one died after handing the message to the provider — once
   ``NOTIFICATION_SENDING_LEASE`` has passed the row becomes ``unknown``. The providers cannot
   deduplicate, so we choose at most once: a process that dies after committing ``sending`` and
   before the provider took the message loses that message (recorded as ``unknown``, never
   sent twice).
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import cast

from django.conf import settings
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from saas_platform.errors import FieldErrorCollector, ValidationFailed
from saas_platform.locking import lock_row
from saas_platform.phones import phone_normalise
from saas_platform.tenancy import business_zone, current_business
from shared_apps.delivery_reports.services import message_route_record
from shared_apps.users.models import User
from tenant_apps.notifications.kinds import (
    INTRUSIVE,
    STAFF_KIND_CHANNELS,
    STAFF_KINDS,
    Channel,
    default_enabled,
    kinds_for_role,
)
from tenant_apps.notifications.models import (
    DELIVERY_RANK,
    FINAL,
    DeliveryStatus,
    Notification,
    NotificationPreference,
    NotificationProfile,
    NotificationSettings,
    Status,
)
from tenant_apps.notifications.providers.base import DeliveryReport, ProviderError
from tenant_apps.notifications.providers.email import EmailContent, send_email
from tenant_apps.notifications.providers.registry import text_provider
from tenant_apps.notifications.queueing import DELIVER, notification_task_queue
from tenant_apps.notifications.quiet import quiet_until

logger = logging.getLogger(__name__)

# A provider outage is retried this many times in all, backing off 1, 2, 4, 8 minutes.
MAX_ATTEMPTS = 5
RETRY_BASE_SECONDS = 60


def notification_settings_get() -> NotificationSettings:
    found, _ = NotificationSettings.objects.get_or_create(pk=1)
    return found


def notification_key(*, kind: str, event: str, channel: str, target: str) -> str:
    """The idempotency key: one message per kind, event, channel and recipient."""
    return f"{kind}:{event}:{channel}:{target}"


def _quiet_hours_of(user: User | None) -> tuple[time | None, time | None]:
    if user is not None:
        profile = NotificationProfile.objects.filter(user=user).first()
        if profile is not None and profile.quiet_start is not None:
            return profile.quiet_start, profile.quiet_end
    business = notification_settings_get()
    return business.quiet_start, business.quiet_end


def notification_send(
    *,
    kind: str,
    channel: str,
    event: str,
    target: str,
    recipient: str,
    content: EmailContent,
    user: User | None = None,
    suppressed: str = "",
    now: datetime | None = None,
) -> Notification:
    """Sends ``content`` to ``recipient`` once per (kind, event, channel, target), whatever
    number of times it is called; returns the log row. ``suppressed`` (a reason) records the
    message as suppressed instead of sending it."""
    now = now or timezone.now()
    key = notification_key(kind=kind, event=event, channel=channel, target=target)
    Notification.objects.bulk_create(
        [
            Notification(
                key=key,
                kind=kind,
                channel=channel,
                target=target,
                recipient=recipient,
                user=user,
                subject=content.subject[:200],
                body=content.text_for(channel),
                status=Status.SUPPRESSED if suppressed else Status.QUEUED,
                error=suppressed[:500],
                created_at=now,
                finished_at=now if suppressed else None,
            )
        ],
        ignore_conflicts=True,
    )
    row = Notification.objects.get(key=key)
    if row.status == Status.SENDING:
        # Claimed by a process that may have died mid-send: never sent again, but marked
        # ``unknown`` once its lease has passed.
        return notification_deliver(notification_id=row.pk, now=now) or row
    if row.status != Status.QUEUED or row.send_after is not None:
        return row  # done, or held / waiting for a retry: its own delivery task comes
    if channel in INTRUSIVE:
        start, end = _quiet_hours_of(user)
        until = quiet_until(now, start=start, end=end, zone=business_zone())
        if until is not None:
            return _hold(row.pk, until=until, now=now) or row
    return notification_deliver(notification_id=row.pk, content=content, now=now) or row


def _hold(notification_id: int, *, until: datetime, now: datetime) -> Notification | None:
    """Holds a queued message until ``until``: the row says so and its delivery is queued for
    then, in one transaction (a crash leaves both or neither)."""
    with transaction.atomic():
        row = lock_row(Notification, pk=notification_id)
        if row is None or row.status != Status.QUEUED or row.send_after is not None:
            return row
        row.send_after = until
        row.save(update_fields=["send_after"])
        notification_task_queue(
            DELIVER, args=[row.pk], countdown=max((until - now).total_seconds(), 0)
        )
        return row


def notification_deliver(
    *, notification_id: int, content: EmailContent | None = None, now: datetime | None = None
) -> Notification | None:
    """Hands a queued message to its provider once (see the module's protocol)."""
    now = now or timezone.now()
    with transaction.atomic():
        row = lock_row(Notification, pk=notification_id)
        if row is None or row.status in FINAL:
            return row
        if row.status == Status.SENDING:
            lease = timedelta(seconds=settings.NOTIFICATION_SENDING_LEASE)
            if row.claimed_at is not None and row.claimed_at + lease <= now:
                _finish(row, Status.UNKNOWN, now, error="The process sending it stopped before "
                        "recording the provider's answer; it is not sent again.")  # fmt: skip
            return row
        # A held or retried row is delivered by the task queued for its time (the broker's ETA
        # does the holding): an early run by a clock a little behind still sends, never drops it.
        row.status = Status.SENDING
        row.claimed_at = now
        row.attempts += 1
        row.save(update_fields=["status", "claimed_at", "attempts"])
    # Committed: from here a rerun does not send this row again.
    try:
        if row.channel == Channel.EMAIL:
            result = send_email(
                to=row.recipient,
                content=content or EmailContent(subject=row.subject, text=row.body),
                key=row.key,
            )
        else:
            result = text_provider(row.channel).send(to=row.recipient, text=row.body)
    except ProviderError as error:
        return _failed(row, error, now)
    row.provider = result.provider
    row.provider_message_id = result.message_id[:200]
    with transaction.atomic():
        if row.channel in INTRUSIVE and row.provider_message_id:
            # Its delivery reports arrive on the root domain naming only this id: the public
            # index says they are this business's, written with the row so both or neither.
            row.delivery_status = DeliveryStatus.PENDING
            message_route_record(
                provider=row.provider, message_id=row.provider_message_id, tenant=current_business()
            )
        _finish(row, Status.SENT, timezone.now(), error="")
    return row


def _failed(row: Notification, error: ProviderError, now: datetime) -> Notification:
    logger.warning("notification %s (%s) failed: %s", row.pk, row.key, error.message)
    if error.retryable and row.attempts < MAX_ATTEMPTS:
        # Nothing was sent: back to queued, delivered again later through the outbox.
        delay = RETRY_BASE_SECONDS * 2 ** (row.attempts - 1)
        with transaction.atomic():
            row.status = Status.QUEUED
            row.error = f"{error.code}: {error.message}"[:500]
            row.send_after = now + timedelta(seconds=delay)
            row.save(update_fields=["status", "error", "send_after"])
            notification_task_queue(DELIVER, args=[row.pk], countdown=delay)
        return row
    status = Status.UNKNOWN if error.unknown else Status.FAILED
    _finish(row, status, timezone.now(), error=f"{error.code}: {error.message}")
    return row


def _finish(row: Notification, status: str, now: datetime, *, error: str) -> None:
    row.status = status
    row.error = error[:500]
    row.finished_at = now
    row.save(
        update_fields=[
            "status", "error", "finished_at", "provider", "provider_message_id", "delivery_status"
        ]
    )  # fmt: skip


def notification_delivery_record(*, report: DeliveryReport, now: datetime | None = None) -> int:
    """Records what a provider's delivery report says about one of this business's messages;
    returns the number of log rows it changed (0: nothing new, or no such message here).

    Reports come late, twice and out of order, and two may arrive at once: a conditional
    ``UPDATE`` applies one only where the recorded delivery status ranks lower
    (``DELIVERY_RANK``), so the same report twice changes nothing the second time and a late
    ``sent`` never undoes ``delivered``. ``delivered_at`` keeps the earliest time heard."""
    if not report.status:
        return 0  # a status of the provider's we do not track
    now = now or timezone.now()
    at = report.at or now
    rank = DELIVERY_RANK[DeliveryStatus(report.status)]
    rows = Notification.objects.filter(
        provider=report.provider, provider_message_id=report.message_id
    )
    changes: dict[str, object] = {"delivery_status": report.status}
    arrived = report.status in (DeliveryStatus.DELIVERED, DeliveryStatus.READ)
    if arrived:
        changes["delivered_at"] = Coalesce(F("delivered_at"), Value(at))
        changes["delivery_error"] = ""  # it reached the phone, whatever was said before
    elif report.status == DeliveryStatus.FAILED:
        changes["delivery_error"] = report.error[:300]
    lower = [status for status, r in DELIVERY_RANK.items() if r < rank]
    with transaction.atomic():
        changed = rows.filter(delivery_status__in=lower).update(**changes)
        if arrived:
            # "read" may come before "delivered" (or with an earlier time): the earliest wins.
            changed = max(changed, rows.filter(delivered_at__gt=at).update(delivered_at=at))
    return changed


# --- staff -------------------------------------------------------------------------------------


def preference_of(user: User, kind: str, channel: str) -> bool | None:
    """The person's own choice for ``kind`` on ``channel``; None = none made (the default)."""
    found = (
        NotificationPreference.objects.filter(user=user, kind=kind, channel=channel)
        .values_list("enabled", flat=True)
        .first()
    )
    return found


def staff_notify(
    *, kind: str, event: str, content: EmailContent, now: datetime | None = None
) -> list[Notification]:
    """``content`` to every active person whose role receives ``kind``, on each channel they
    have on (their choice, else their role's default). A channel they turned off is logged as
    suppressed; an SMS or WhatsApp they turned on without a phone number is too."""
    roles = STAFF_KINDS[kind]
    people = list(User.objects.filter(is_active=True, role__in=roles).order_by("pk"))
    profiles = {
        p.user_id: p for p in NotificationProfile.objects.filter(user__in=[u.pk for u in people])
    }
    choices = {
        (p.user_id, p.channel): p.enabled
        for p in NotificationPreference.objects.filter(user__in=[u.pk for u in people], kind=kind)
    }
    sent: list[Notification] = []
    for person in people:
        for channel in STAFF_KIND_CHANNELS[kind]:
            chosen = choices.get((person.pk, channel))
            if chosen is None and not default_enabled(kind, channel, person.role):
                continue  # off by default and never turned on: nothing to log
            profile = profiles.get(person.pk)
            address = (
                person.email if channel == Channel.EMAIL else (profile.phone if profile else "")
            )
            reason = ""
            if chosen is False:
                reason = "Turned off in this person's preferences."
            elif not address:
                reason = "No phone number in this person's preferences."
            sent.append(
                notification_send(
                    kind=kind,
                    channel=channel,
                    event=event,
                    target=f"user:{person.pk}",
                    recipient=address,
                    content=content,
                    user=person,
                    suppressed=reason,
                    now=now,
                )
            )
    return sent


# --- a person's preferences --------------------------------------------------------------------

_UNSET = object()


def preferences_update(
    *,
    user: User,
    phone: str | None = None,
    quiet_hours: object = _UNSET,
    choices: list[tuple[str, str, bool]] | None = None,
) -> None:
    """Changes what ``user`` receives: their phone (for SMS and WhatsApp), their own quiet
    hours (``(start, end)``, or None for the business's), and per kind and channel on or off.
    Everything is checked before anything is written: a bad value changes nothing."""
    problems = FieldErrorCollector()
    normalised = ""
    if phone is not None:
        try:
            normalised = phone_normalise(phone, field="phone")
        except ValidationFailed as error:
            problems.extend(error.fields)
    quiet: tuple[time, time] | None = None
    if quiet_hours is not _UNSET and quiet_hours is not None:
        quiet = cast(tuple[time, time], quiet_hours)
        if quiet[0] == quiet[1]:
            problems.add(
                "quiet_hours", "empty_window", "Quiet hours must start and end at different times."
            )
    allowed = set(kinds_for_role(user.role))
    for index, (kind, channel, _) in enumerate(choices or []):
        if kind not in allowed:
            problems.add(
                f"preferences[{index}].kind",
                "not_for_role",
                f"Your role does not receive {kind} notifications.",
            )
        elif channel not in STAFF_KIND_CHANNELS[kind]:
            problems.add(
                f"preferences[{index}].channel",
                "channel_not_offered",
                f"{kind} is not sent by {channel}.",
            )
    problems.raise_if_any()
    with transaction.atomic():
        profile, _ = NotificationProfile.objects.get_or_create(user=user)
        if phone is not None:
            profile.phone = normalised
        if quiet_hours is not _UNSET:
            profile.quiet_start, profile.quiet_end = quiet if quiet else (None, None)
        profile.save()
        for kind, channel, enabled in choices or []:
            NotificationPreference.objects.update_or_create(
                user=user, kind=kind, channel=channel, defaults={"enabled": enabled}
            )


def notification_settings_set(
    *,
    quiet_hours: tuple[time, time] | None,
    credit_reminders: bool | None = None,
    credit_reminder_channel: str | None = None,
) -> NotificationSettings:
    """The business's quiet hours (None: none) and how customers hear about overdue credit."""
    if quiet_hours is not None and quiet_hours[0] == quiet_hours[1]:
        raise ValidationFailed.for_field(
            "quiet_hours", "empty_window", "Quiet hours must start and end at different times."
        )
    if credit_reminder_channel is not None and credit_reminder_channel not in Channel.values:
        raise ValidationFailed.for_field(
            "credit_reminder_channel", "invalid", f"Use one of: {', '.join(Channel.values)}."
        )
    with transaction.atomic():
        found = lock_row(NotificationSettings, pk=1) or notification_settings_get()
        found.quiet_start, found.quiet_end = quiet_hours if quiet_hours else (None, None)
        if credit_reminders is not None:
            found.credit_reminders = credit_reminders
        if credit_reminder_channel is not None:
            found.credit_reminder_channel = credit_reminder_channel
        found.save()
        return found
