"""What providers post to us: payment and refund results, C2B validation and confirmation.

What lets a post in (``saas_platform.api.inbound``) is the unguessable token in its URL (and a
signature, where the provider signs), checked by the services; each answer is what the provider
expects, and junk is a 4xx, never a 500.
"""

from __future__ import annotations

from typing import Protocol

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from saas_platform.api.inbound import INBOUND_SCHEMA, InboundPostApi, raw_body, raw_headers
from saas_platform.errors import DukaError, NotFound, ValidationFailed
from tenant_apps.payments.gateways.base import Acknowledgement
from tenant_apps.payments.gateways.mpesa import C2B_ACCEPT, C2B_CONFIRMED
from tenant_apps.payments.gateways.registry import get_gateway
from tenant_apps.payments.services.c2b import c2b_confirmation_handle, c2b_validation_handle
from tenant_apps.payments.services.callbacks import (
    CallbackOutcome,
    Verdict,
    payment_callback_handle,
    provider_webhook_handle,
    refund_callback_handle,
)


class CallbackUnavailable(DukaError):
    """A genuine result we could not apply now: 503, so that the provider sends it again."""

    code = "unavailable"
    status = 503
    default_message = "Could not process now."


def _answer(outcome: CallbackOutcome) -> Response:
    """What the provider gets for a post: its own acknowledgement when it need not send the post
    again, the one error shape (through the exception handler) otherwise. The callback log rows
    are already written: nothing here rolls them back (no ATOMIC_REQUESTS)."""
    verdict = outcome.verdict
    if verdict in (Verdict.ACCEPTED, Verdict.DUPLICATE):
        return Response(get_gateway(outcome.provider).acknowledgement(Acknowledgement.ACCEPTED))
    if verdict == Verdict.NOT_OURS:
        # Acknowledged all the same, or the provider retries for a day.
        return Response(get_gateway(outcome.provider).acknowledgement(Acknowledgement.IGNORED))
    if verdict == Verdict.UNKNOWN_URL:
        raise NotFound()
    if verdict == Verdict.REJECTED:
        raise ValidationFailed(outcome.reason, code="callback_rejected")
    raise CallbackUnavailable()


class _PostHandler(Protocol):
    def __call__(self, *, token: str, body: bytes, headers: dict[str, str]) -> CallbackOutcome: ...


def _handled(handle: _PostHandler, request: Request, token: str) -> Response:
    """A provider's post at its tokened URL, given whole (raw body and headers: a signature is
    over the bytes as sent) to the service that handles it, and answered by ``_answer``."""
    return _answer(handle(token=token, body=raw_body(request), headers=raw_headers(request)))


class PaymentCallbackApi(InboundPostApi):
    @extend_schema(operation_id="payments_callback", **INBOUND_SCHEMA)
    def post(self, request: Request, token: str) -> Response:
        return _handled(payment_callback_handle, request, token)


class RefundCallbackApi(InboundPostApi):
    @extend_schema(operation_id="payments_refund_callback", **INBOUND_SCHEMA)
    def post(self, request: Request, token: str) -> Response:
        return _handled(refund_callback_handle, request, token)


class ProviderWebhookApi(InboundPostApi):
    @extend_schema(operation_id="payments_provider_webhook", **INBOUND_SCHEMA)
    def post(self, request: Request, token: str) -> Response:
        return _handled(provider_webhook_handle, request, token)


class C2BValidationApi(InboundPostApi):
    @extend_schema(operation_id="payments_c2b_validation", **INBOUND_SCHEMA)
    def post(self, request: Request, token: str) -> Response:
        c2b_validation_handle(token=token, body=raw_body(request))
        return Response(dict(C2B_ACCEPT))


class C2BConfirmationApi(InboundPostApi):
    @extend_schema(operation_id="payments_c2b_confirmation", **INBOUND_SCHEMA)
    def post(self, request: Request, token: str) -> Response:
        c2b_confirmation_handle(token=token, body=raw_body(request))
        return Response(dict(C2B_CONFIRMED))
