"""Delivery reports of SMS and WhatsApp messages, received on the root domain and routed to the
business that sent the message (docs/notifications.md, "Delivery reports")."""
