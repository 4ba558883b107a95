"""Who is behind a request authenticated with an API key."""

from __future__ import annotations

from dataclasses import dataclass

from tenant_apps.staff.models import ApiKey


@dataclass(frozen=True)
class ApiKeyPrincipal:
    """Stands in for ``request.user`` on API-key requests: an integration, not a person."""

    api_key: ApiKey

    is_authenticated = True
    is_anonymous = False
    is_active = True
    role = ""

    @property
    def pk(self) -> None:
        return None

    def __str__(self) -> str:
        return f"api-key:{self.api_key.prefix}"
