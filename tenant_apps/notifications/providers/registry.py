"""Which provider carries each phone channel; made afresh from settings on each call (cheap,
and tests that point the settings at the fakes see the change at once)."""

from __future__ import annotations

from tenant_apps.notifications.kinds import Channel
from tenant_apps.notifications.providers.africastalking import AfricasTalkingSms
from tenant_apps.notifications.providers.base import TextProvider
from tenant_apps.notifications.providers.whatsapp_cloud import WhatsAppCloud


def text_provider(channel: str) -> TextProvider:
    if channel == Channel.SMS:
        return AfricasTalkingSms.from_settings()
    if channel == Channel.WHATSAPP:
        return WhatsAppCloud.from_settings()
    raise ValueError(f"{channel!r} is not a phone channel.")
