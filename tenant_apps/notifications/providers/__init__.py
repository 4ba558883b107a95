"""The providers behind each channel: e-mail through Django's mail backend, SMS through an
Africa's Talking-style API, WhatsApp through the WhatsApp Cloud API. Each speaks one wire
format behind one small interface (``base.TextProvider``) and is configured by the platform's
settings only (docs/notifications.md)."""
