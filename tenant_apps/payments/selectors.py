"""Reads of the payments app."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.db.models import QuerySet

from saas_platform.changes import changed_since
from saas_platform.errors import NotFound
from saas_platform.list_filters import filter_given
from tenant_apps.payments.models import C2BPayment, Payment, ProviderAccount


def payment_list(
    *,
    status: str = "",
    purpose: str = "",
    purpose_ref: str = "",
    updated_since: datetime | None = None,
) -> QuerySet[Payment]:
    payments = filter_given(
        Payment.objects.all(), status=status, purpose=purpose, purpose_ref=purpose_ref
    )
    return changed_since(payments, updated_since).prefetch_related("refunds")


def payment_get(public_id: UUID | str) -> Payment:
    payment = payment_list().filter(public_id=public_id).first()
    if payment is None:
        raise NotFound("No such payment.")
    return payment


def provider_account_list() -> QuerySet[ProviderAccount]:
    return ProviderAccount.objects.all()


def c2b_list(*, status: str = "") -> QuerySet[C2BPayment]:
    payments = C2BPayment.objects.all()
    if status:
        payments = payments.filter(status=status)
    return payments


def provider_account_get(provider: str) -> ProviderAccount:
    account = ProviderAccount.objects.filter(provider=provider).first()
    if account is None:
        raise NotFound(f"No {provider} account is set up.")
    return account
