"""Who did something, for the records that name an author."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from shared_apps.users.models import User


def author_field() -> models.ForeignKey[User | None, User | None]:
    """The person who did something (opened a shift, posted an entry); None when an API key or
    the system did it. A person who has done things is deactivated, never deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )


def person_or_none(actor: object) -> User | None:
    """The person behind a request; None for an API key, which acts for an integration."""
    return actor if isinstance(actor, User) else None
