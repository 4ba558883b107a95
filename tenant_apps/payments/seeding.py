"""Provider accounts for demo and test businesses, pointing at the local provider sandbox.

The sandbox is a development tool (``devtools/payments_sandbox``), not part of the product: this
module only talks to it over HTTP, as to any provider, and never imports it."""

from __future__ import annotations

import logging
import time

import httpx
from django.conf import settings

from tenant_apps.payments.gateways.base import GatewayError
from tenant_apps.payments.gateways.destinations import tls_context
from tenant_apps.payments.gateways.mpesa import DarajaGateway
from tenant_apps.payments.models import ACCOUNT_PROVIDERS, ProviderAccount
from tenant_apps.payments.services.accounts import (
    account_urls,
    credentials_of,
    provider_account_set,
)

logger = logging.getLogger(__name__)
# `make run` starts the sandbox a moment before it seeds the demo business.
SANDBOX_WAIT_SECONDS = 5.0


def sandbox_accounts_install(
    base_url: str = "", *, wait: float = SANDBOX_WAIT_SECONDS
) -> list[ProviderAccount]:
    """Points every provider account of the current business at the sandbox, when there is one
    (``base_url``, else ``settings.PAYMENT_SANDBOX_URL``); does nothing otherwise, nor when no
    sandbox answers there within ``wait`` seconds."""
    url = (base_url or settings.PAYMENT_SANDBOX_URL).rstrip("/")
    if not url:
        return []
    credentials = _sandbox_credentials(url, wait=wait)
    if credentials is None:
        logger.warning(
            "No payment sandbox answered at %s: provider accounts left as they are. "
            "Start it (python -m devtools.payments_sandbox) and seed again.",
            url,
        )
        return []
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
                    verify=tls_context(),
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


def _sandbox_credentials(url: str, *, wait: float) -> dict[str, dict[str, str]] | None:
    """The running sandbox's own credentials (its signing certificate is made per process), or
    None when nothing answers there: the product holds no copy of a development tool's values."""
    deadline = time.monotonic() + wait
    while True:
        try:
            answer = httpx.get(f"{url}/__sandbox__/credentials", timeout=3.0, verify=tls_context())
            answer.raise_for_status()
            return {name: dict(entry["values"]) for name, entry in answer.json().items()}
        except httpx.TransportError:
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.2)  # not up yet: it was started just before us
        except (httpx.HTTPError, ValueError, KeyError, TypeError, AttributeError):
            return None  # something answers, but not a sandbox
