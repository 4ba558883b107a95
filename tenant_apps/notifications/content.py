"""What a notification says: a subject, plain text (all an SMS or WhatsApp message carries) and
the same as HTML for e-mail, from the app's templates."""

from __future__ import annotations

from django.template.loader import render_to_string

from saas_platform.tenancy import current_business
from tenant_apps.notifications.providers.email import EmailContent


def message_content(
    *,
    subject: str,
    lines: list[str],
    table: list[tuple[str, str]] | None = None,
    short: str = "",
) -> EmailContent:
    """An e-mail of ``lines`` and an optional two-column ``table``; ``short`` is what a phone
    channel says instead of the whole text (one SMS is 160 characters)."""
    context = {
        "subject": subject,
        "heading": subject,
        "lines": lines,
        "table": table or [],
        "business": current_business().name,
    }
    text = render_to_string("notifications/email.txt", context).strip() + "\n"
    html = render_to_string("notifications/email.html", context)
    return EmailContent(subject=subject, text=text, html=html, short=short)
