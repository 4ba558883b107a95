"""What is sent (kinds), how (channels), and who gets which kind on which channel by default.

Staff kinds go to the business's people by role, each person able to turn a kind on or off per
channel (``NotificationPreference``); customer kinds (receipts, credit reminders) go to a
customer and are the business's decision; ``dunning`` is the platform's word to the owner about
their Duka subscription and cannot be turned off.
"""

from __future__ import annotations

from django.db import models

from shared_apps.users.models import Role


class Kind(models.TextChoices):
    LOW_STOCK = "low_stock", "Low stock"
    EXPIRING_BATCH = "expiring_batch", "Batch expiring"
    DAILY_SUMMARY = "daily_summary", "Daily summary"
    WEEKLY_REPORT = "weekly_report", "Weekly report"
    MONTHLY_REPORT = "monthly_report", "Monthly report"
    CREDIT_REMINDER = "credit_reminder", "Credit reminder"
    RECEIPT = "receipt", "Receipt"
    DUNNING = "dunning", "Duka billing"


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    SMS = "sms", "SMS"
    WHATSAPP = "whatsapp", "WhatsApp"


# Channels that wake a phone: held during quiet hours. E-mail may go at any time.
INTRUSIVE = frozenset({Channel.SMS, Channel.WHATSAPP})

_STOCK_ROLES = frozenset({Role.OWNER, Role.MANAGER, Role.WAREHOUSE})
_MANAGERS = frozenset({Role.OWNER, Role.MANAGER})

# Staff kinds → the roles that receive them. Which channels are on by default: e-mail only (a
# person turns SMS or WhatsApp on, with their phone number, in their preferences).
STAFF_KINDS: dict[str, frozenset[str]] = {
    Kind.LOW_STOCK: _STOCK_ROLES,
    Kind.EXPIRING_BATCH: _STOCK_ROLES,
    Kind.DAILY_SUMMARY: _MANAGERS,
    Kind.WEEKLY_REPORT: frozenset({Role.OWNER}),
    Kind.MONTHLY_REPORT: frozenset({Role.OWNER}),
}
# Channels each staff kind can go by (reports are long: e-mail only).
STAFF_KIND_CHANNELS: dict[str, tuple[str, ...]] = {
    Kind.LOW_STOCK: (Channel.EMAIL, Channel.SMS, Channel.WHATSAPP),
    Kind.EXPIRING_BATCH: (Channel.EMAIL, Channel.SMS, Channel.WHATSAPP),
    Kind.DAILY_SUMMARY: (Channel.EMAIL, Channel.SMS, Channel.WHATSAPP),
    Kind.WEEKLY_REPORT: (Channel.EMAIL,),
    Kind.MONTHLY_REPORT: (Channel.EMAIL,),
}
DEFAULT_CHANNELS = frozenset({Channel.EMAIL})


def kinds_for_role(role: str) -> list[str]:
    return [kind for kind, roles in STAFF_KINDS.items() if role in roles]


def default_enabled(kind: str, channel: str, role: str) -> bool:
    return role in STAFF_KINDS.get(kind, frozenset()) and channel in DEFAULT_CHANNELS
