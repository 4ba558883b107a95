"""A business's accounts at the providers: setting one up, its credentials as the gateways take
them, and the URLs to give the provider."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from saas_platform.errors import NotFound, ValidationFailed
from saas_platform.locking import lock_row
from tenant_apps.payments.gateways.base import Credentials
from tenant_apps.payments.gateways.destinations import base_url_check
from tenant_apps.payments.models import ACCOUNT_PROVIDERS, Provider, ProviderAccount
from tenant_apps.payments.services._common import new_token, site_url


def credentials_of(account: ProviderAccount) -> Credentials:
    values = {str(k): str(v) for k, v in (account.credentials or {}).items()}
    return Credentials(base_url=account.base_url, values=values)


def _account(provider: str) -> ProviderAccount | None:
    return ProviderAccount.objects.filter(provider=provider, is_active=True).first()


def active_credentials(provider: str) -> Credentials:
    if provider not in ACCOUNT_PROVIDERS:
        return Credentials(base_url="")
    account = _account(provider)
    if account is None:
        raise ValidationFailed(
            f"No active {provider} account is set up for this business.",
            code="provider_not_configured",
        )
    return credentials_of(account)


def callback_credentials(provider: str) -> Credentials:
    # An answer to a request we made is still read after the account is switched off.
    account = ProviderAccount.objects.filter(provider=provider).first()
    if account is None:
        return active_credentials(provider)
    return credentials_of(account)


def account_urls(account: ProviderAccount) -> dict[str, str]:
    """The URLs to give the provider: C2B for M-Pesa, the result webhook for the others."""
    if account.provider == Provider.MPESA:
        return {
            "c2b_validation_url": site_url("payments:c2b-validation", token=account.c2b_token),
            "c2b_confirmation_url": site_url("payments:c2b-confirmation", token=account.c2b_token),
        }
    return {"webhook_url": site_url("payments:provider-webhook", token=account.c2b_token)}


def provider_account_set(
    *,
    provider: str,
    base_url: str,
    credentials: dict[str, str] | None,
    is_active: bool,
    actor: Any = None,
) -> ProviderAccount:
    """Creates or updates a provider account. Credentials given replace the stored ones key by
    key; a key given an empty value is removed; keys not given are kept (the API never shows
    secrets, so a form cannot send them back)."""
    if provider not in ACCOUNT_PROVIDERS:
        raise NotFound(f"No provider {provider}.")
    # The server will call this URL with the account's credentials: only the provider's own
    # API hosts (or the platform owner's list) may be named, never an address of the business's
    # choosing. Each request is checked again on its way out (gateways/destinations.py).
    code, message = base_url_check(provider, base_url)
    if code:
        raise ValidationFailed.for_field("base_url", code, message)
    with transaction.atomic():
        account = lock_row(ProviderAccount, provider=provider)
        if account is None:
            account = ProviderAccount(provider=provider, c2b_token=new_token())
        merged = dict(account.credentials or {})
        for key, value in (credentials or {}).items():
            if value == "":
                merged.pop(key, None)
            else:
                merged[key] = value
        account.base_url = base_url
        account.credentials = merged
        account.is_active = is_active
        account.save()
    return account
