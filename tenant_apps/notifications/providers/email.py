"""E-mail through Django's mail backend: a plain-text body with an HTML alternative, and
attachments. The Message-ID is made from the notification's key, so the one message we sent is
the one the log names."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid

from tenant_apps.notifications.providers.base import ProviderError, SendResult


@dataclass(frozen=True)
class EmailContent:
    subject: str
    text: str
    html: str = ""
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)
    short: str = ""  # what an SMS or WhatsApp message says instead (one SMS is 160 characters)

    def text_for(self, channel: str) -> str:
        return self.text if channel == "email" or not self.short else self.short


def send_email(*, to: str, content: EmailContent, key: str) -> SendResult:
    message_id = make_msgid(idstring=hashlib.sha256(key.encode()).hexdigest()[:16])
    message = EmailMultiAlternatives(
        subject=content.subject,
        body=content.text,
        to=[to],
        headers={"Message-ID": message_id},
    )
    if content.html:
        message.attach_alternative(content.html, "text/html")
    for name, data, mime in content.attachments:
        message.attach(name, data, mime)
    try:
        message.send()
    except OSError as error:  # smtplib's errors are OSErrors
        # As billing's e-mails: a refusing mail server is recorded, never retried into a second
        # e-mail (an SMTP session that broke after DATA may well have delivered it).
        raise ProviderError(
            f"The mail server did not take it: {error}", code="mail_refused"
        ) from error
    return SendResult(provider="email", message_id=message_id)
