"""Reads: the business's notification log, and a person's preferences as they stand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from django.db.models import QuerySet

from saas_platform.errors import NotFound
from saas_platform.list_filters import filter_given
from shared_apps.users.models import User
from tenant_apps.notifications.kinds import STAFF_KIND_CHANNELS, default_enabled, kinds_for_role
from tenant_apps.notifications.models import (
    Notification,
    NotificationPreference,
    NotificationProfile,
)
from tenant_apps.notifications.services import notification_settings_get


def notification_list(
    *, kind: str = "", status: str = "", channel: str = "", delivery_status: str = ""
) -> QuerySet[Notification]:
    rows = filter_given(
        Notification.objects.all(),
        delivery_status=delivery_status,
        kind=kind,
        status=status,
        channel=channel,
    )
    return rows.order_by("-created_at", "-pk")


def notification_get(notification_id: int) -> Notification:
    found = Notification.objects.filter(pk=notification_id).first()
    if found is None:
        raise NotFound("No such notification.")
    return found


@dataclass(frozen=True)
class Choice:
    kind: str
    channel: str
    enabled: bool
    default: bool


@dataclass(frozen=True)
class Preferences:
    phone: str
    quiet_start: time | None
    quiet_end: time | None
    business_quiet_start: time | None
    business_quiet_end: time | None
    choices: list[Choice]


def preferences_of(user: User) -> Preferences:
    """Every kind the person's role receives, on each of its channels: their own choice where
    they made one, else the default."""
    own = {(p.kind, p.channel): p.enabled for p in NotificationPreference.objects.filter(user=user)}
    profile = NotificationProfile.objects.filter(user=user).first()
    business = notification_settings_get()
    choices = []
    for kind in kinds_for_role(user.role):
        for channel in STAFF_KIND_CHANNELS[kind]:
            default = default_enabled(kind, channel, user.role)
            choices.append(Choice(kind, channel, own.get((kind, channel), default), default))
    return Preferences(
        phone=profile.phone if profile else "",
        quiet_start=profile.quiet_start if profile else None,
        quiet_end=profile.quiet_end if profile else None,
        business_quiet_start=business.quiet_start,
        business_quiet_end=business.quiet_end,
        choices=choices,
    )
