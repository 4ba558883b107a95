"""Provider accounts for demo and test businesses, pointing at the local provider sandbox."""

from __future__ import annotations

import httpx
from django.conf import settings

from tenant_apps.payments.gateways.base import GatewayError
from tenant_apps.payments.gateways.mpesa import DarajaGateway
from tenant_apps.payments.models import ACCOUNT_PROVIDERS, ProviderAccount
from tenant_apps.payments.services import account_urls, credentials_of, provider_account_set


def sandbox_accounts_install(base_url: str = "") -> list[ProviderAccount]:
    """Points every provider account of the current business at the sandbox, when there is one
    (``base_url``, else ``settings.PAYMENT_SANDBOX_URL``); does nothing otherwise."""
    url = (base_url or settings.PAYMENT_SANDBOX_URL).rstrip("/")
    if not url:
        return []
    credentials = _sandbox_credentials(url)
    accounts = [
        provider_account_set(
            provider=provider,
            base_url=url,
            credentials=dict(credentials.get(provider, {})),
            is_active=True,
        )
        for provider in ACCOUNT_PROVIDERS
    ]
    _tell_sandbox_our_urls(url, accounts)
    return accounts


def _tell_sandbox_our_urls(url: str, accounts: list[ProviderAccount]) -> None:
    """What a merchant sets on the providers' dashboards: where Airtel, card and UPI results go,
    and M-Pesa's C2B URLs (registered through Daraja's own API, as in production)."""
    for account in accounts:
        urls = account_urls(account)
        try:
            if "webhook_url" in urls:
                httpx.post(
                    f"{url}/__sandbox__/webhooks",
                    json={"provider": account.provider, "url": urls["webhook_url"]},
                    timeout=3.0,
                )
            else:
                DarajaGateway().register_c2b_urls(
                    credentials_of(account),
                    confirmation_url=urls["c2b_confirmation_url"],
                    validation_url=urls["c2b_validation_url"],
                )
        except (httpx.HTTPError, GatewayError):
            # No sandbox running (tests, `manage.py seed_demo` alone): payments by push and
            # their per-payment callbacks work all the same.
            continue


def _sandbox_credentials(url: str) -> dict[str, dict[str, str]]:
    """The running sandbox's own credentials: its signing certificate is made per process, so a
    sandbox started by `make run` has a different one from this process's copy."""
    from tenant_apps.payments.sandbox import SANDBOX_CREDENTIALS

    try:
        answer = httpx.get(f"{url}/__sandbox__/credentials", timeout=3.0)
        answer.raise_for_status()
        return {name: dict(entry["values"]) for name, entry in answer.json().items()}
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return {name: dict(values) for name, values in SANDBOX_CREDENTIALS.items()}
