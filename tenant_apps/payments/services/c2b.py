"""Paybill and till payments nobody asked for (M-Pesa C2B): Daraja's validation question, and
each confirmation stored once per TransID and offered to the registered matchers."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from moneyed import Money

from saas_platform.errors import NotFound, ValidationFailed
from saas_platform.tenancy import business_currency
from tenant_apps.payments.gateways.base import CallbackRejected
from tenant_apps.payments.handlers import c2b_matchers
from tenant_apps.payments.models import (
    C2BPayment,
    C2BStatus,
    CallbackKind,
    CallbackResult,
    Provider,
    ProviderAccount,
)
from tenant_apps.payments.services._common import callback_log, gateway_for

logger = logging.getLogger(__name__)


def _c2b_account(token: str) -> ProviderAccount:
    account = (
        ProviderAccount.objects.filter(c2b_token=token, provider=Provider.MPESA).first()
        if token
        else None
    )
    if account is None:
        raise NotFound("Not found.")
    return account


def c2b_validation_handle(*, token: str, body: bytes) -> None:
    """Daraja asks whether to accept a paybill payment: we take them all (matching comes later),
    at a known account's URL (NotFound otherwise)."""
    _c2b_account(token)


def _c2b_notice(body: bytes) -> Any:
    if b"\x00" in body or b"\\u0000" in body:
        # PostgreSQL text and jsonb cannot hold NUL: no genuine notice has one.
        raise ValidationFailed("The body holds a NUL character.", code="invalid_body")
    gateway: Any = gateway_for(Provider.MPESA)
    try:
        notice = gateway.parse_c2b(body)
    except CallbackRejected as error:
        raise ValidationFailed(str(error), code="invalid_body") from error
    except Exception as error:
        raise ValidationFailed("The body is not a C2B notice.", code="invalid_body") from error
    amount = Decimal(notice.amount)
    if len(notice.trans_id) > 40 or not amount.is_finite() or not 0 < amount < Decimal("1e13"):
        raise ValidationFailed("TransID or TransAmount is not valid.", code="invalid_body")
    return notice


def c2b_confirmation_handle(*, token: str, body: bytes) -> C2BPayment:
    """Stores a paybill / till payment once per TransID and offers it to the matchers."""
    account = _c2b_account(token)

    def log(result: str, error: str = "") -> None:
        callback_log(
            kind=CallbackKind.C2B,
            body=body,
            headers={},
            result=result,
            provider=account.provider,
            error=error,
        )

    try:
        notice = _c2b_notice(body)
    except ValidationFailed as error:
        log(CallbackResult.REJECTED, error.message)
        raise
    existing = C2BPayment.objects.filter(trans_id=notice.trans_id).first()
    if existing is not None:
        log(CallbackResult.DUPLICATE)
        return existing
    name = " ".join(f"{notice.first_name} {notice.middle_name} {notice.last_name}".split())
    try:
        with transaction.atomic():
            c2b = C2BPayment.objects.create(
                trans_id=notice.trans_id,
                amount=Money(notice.amount, business_currency()),
                bill_ref=notice.bill_ref[:100],
                msisdn=notice.msisdn[:100],
                payer_name=name[:200],
                trans_time=notice.trans_time[:20],
                raw=notice.raw,
                status=C2BStatus.UNMATCHED,
            )
            _c2b_match(c2b)
            log(CallbackResult.ACCEPTED)
    except IntegrityError:
        # Safaricom sent the same confirmation twice at once; the other one stored it.
        existing = C2BPayment.objects.filter(trans_id=notice.trans_id).first()
        if existing is None:
            raise
        return existing
    return c2b


def _c2b_match(c2b: C2BPayment) -> None:
    for name, matcher in c2b_matchers():
        try:
            with transaction.atomic():
                consumed = matcher(c2b)
        except Exception:
            # The money is ours either way: a broken matcher leaves it for a person to allocate.
            logger.exception("C2B matcher %s failed on %s", name, c2b.trans_id)
            continue
        if consumed:
            c2b.status = C2BStatus.MATCHED
            c2b.matched_by = name[:60]
            c2b.save(update_fields=["status", "matched_by"])
            return
