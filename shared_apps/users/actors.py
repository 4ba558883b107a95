"""Who did something, for the records that name an author."""

from __future__ import annotations

from shared_apps.users.models import User


def person_or_none(actor: object) -> User | None:
    """The person behind a request; None for an API key, which acts for an integration."""
    return actor if isinstance(actor, User) else None
