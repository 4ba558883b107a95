"""Local fakes of the notification providers for tests and development: an Africa's
Talking-style SMS API under ``/africastalking`` and the WhatsApp Cloud API under ``/whatsapp``,
served by ``server`` (docs/notifications.md, "Fakes")."""

from devtools.notification_fakes.fakes import SmsFake, WhatsAppFake
from devtools.notification_fakes.server import NotificationFakes, start_notification_fakes

__all__ = ["NotificationFakes", "SmsFake", "WhatsAppFake", "start_notification_fakes"]
