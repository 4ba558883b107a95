"""Notifications: alerts, summaries, reminders and e-mails to staff and customers, by e-mail, SMS
and WhatsApp, each logged once per business (docs/notifications.md)."""
