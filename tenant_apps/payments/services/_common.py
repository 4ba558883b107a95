"""What the payments services share: tokens, the gateway of a provider, the payment row (locked
or not), absolute links to the business's routes, and the log of what providers posted."""

from __future__ import annotations

import secrets

from saas_platform.errors import NotFound
from saas_platform.locking import lock_found
from saas_platform.tenancy import current_business
from shared_apps.tenants.links import tenant_url
from tenant_apps.payments.gateways.base import Gateway
from tenant_apps.payments.gateways.registry import get_gateway
from tenant_apps.payments.models import Payment, PaymentCallback, PaymentRefund

# Raw callback bodies are evidence, but nobody needs more than this of one.
MAX_LOGGED_BODY = 64 * 1024


def new_token() -> str:
    return secrets.token_urlsafe(32)


def gateway_for(provider: str) -> Gateway:
    return get_gateway(provider)


def payment_locked(payment_id: int) -> Payment:
    return lock_found(Payment, pk=payment_id, missing="No such payment.")


def refund_locked(refund_id: int) -> PaymentRefund:
    return lock_found(PaymentRefund, pk=refund_id, missing="No such refund.")


def payment_row(payment_id: int) -> Payment:
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None:
        raise NotFound("No such payment.")
    return payment


def callback_log(
    *,
    kind: str,
    body: bytes,
    headers: dict[str, str],
    result: str,
    provider: str = "",
    payment: Payment | None = None,
    refund: PaymentRefund | None = None,
    error: str = "",
) -> None:
    PaymentCallback.objects.create(
        payment=payment,
        refund=refund,
        provider=provider,
        kind=kind,
        headers={db_text(k): db_text(v)[:1000] for k, v in headers.items()},
        body=db_text(body[:MAX_LOGGED_BODY].decode("utf-8", errors="replace")),
        result=result,
        error=db_text(error[:2000]),
    )


def db_text(value: object) -> str:
    # PostgreSQL text cannot hold NUL; a junk body must still be logged, not crash the log.
    return str(value).replace("\x00", "\ufffd")


def site_url(view_name: str, **kwargs: str) -> str:
    """The absolute link to this business's route ``view_name`` (``payments:payment-callback``),
    as a provider will call it."""
    return tenant_url(current_business(), view_name, **kwargs)
