"""Provider accounts for demo and test businesses, pointing at the local provider sandbox."""

from __future__ import annotations

from django.conf import settings

from tenant_apps.payments.models import ACCOUNT_PROVIDERS, ProviderAccount
from tenant_apps.payments.services import provider_account_set


def sandbox_accounts_install(base_url: str = "") -> list[ProviderAccount]:
    """Points every provider account of the current business at the sandbox, when there is one
    (``base_url``, else ``settings.PAYMENT_SANDBOX_URL``); does nothing otherwise."""
    url = (base_url or settings.PAYMENT_SANDBOX_URL).rstrip("/")
    if not url:
        return []
    from tenant_apps.payments.sandbox import SANDBOX_CREDENTIALS

    return [
        provider_account_set(
            provider=provider,
            base_url=url,
            credentials=dict(SANDBOX_CREDENTIALS.get(provider, {})),
            is_active=True,
        )
        for provider in ACCOUNT_PROVIDERS
    ]
