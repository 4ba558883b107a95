"""For the platform's own e-mails to a business's owner (billing's dunning, in the public
schema): sent through the same e-mail channel and logged in the business's own log."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from shared_apps.tenants.models import Tenant
from tenant_apps.notifications.kinds import Channel, Kind
from tenant_apps.notifications.models import Notification
from tenant_apps.notifications.providers.email import EmailContent
from tenant_apps.notifications.services import notification_send


def owner_email_send(*, tenant: Tenant, event: str, content: EmailContent) -> Notification | None:
    """``content`` to the owner's address once per ``event`` (None: the business has none)."""
    if not tenant.owner_email:
        return None
    with tenant_context(tenant):
        return notification_send(
            kind=Kind.DUNNING,
            channel=Channel.EMAIL,
            event=event,
            target="owner",
            recipient=tenant.owner_email,
            content=content,
        )
