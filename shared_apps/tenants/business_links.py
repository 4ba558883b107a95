"""The "find my business" e-mail sent from the root domain.

A business lives on its own host, so someone who lands on the root domain's login needs its
address. Whether an e-mail owns businesses is never shown on the page (the page answers the same
either way); the links go to the mailbox, which proves who asked.
"""

from __future__ import annotations

from django.core.mail import send_mail
from django.template.loader import render_to_string

from shared_apps.tenants.links import tenant_url
from shared_apps.tenants.selectors import tenants_owned_by


def business_links_send(*, email: str) -> int:
    """Mails the login links of every business owned by ``email``; returns how many (0: no
    mail is sent, and the caller says nothing different)."""
    tenants = list(tenants_owned_by(email))
    if not tenants:
        return 0
    businesses = [{"name": t.name, "login_url": tenant_url(t, "terminal:login")} for t in tenants]
    send_mail(
        subject="Your businesses on Duka",
        message=render_to_string("tenants/business_links_email.txt", {"businesses": businesses}),
        from_email=None,
        recipient_list=[email.strip()],
    )
    return len(tenants)
