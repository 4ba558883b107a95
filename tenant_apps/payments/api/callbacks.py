"""What providers post to us: payment and refund results, C2B validation and confirmation.

No authentication, CSRF or throttling: providers carry no credentials of ours. What lets a post
in is the unguessable token in its URL (and a signature, where the provider signs), checked by
the services; each answer is what the provider expects, and junk is a 4xx, never a 500.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_apps.payments.services.c2b import (
    C2B_CONFIRMATION_ACK,
    c2b_confirmation_handle,
    c2b_validation_handle,
)
from tenant_apps.payments.services.callbacks import (
    payment_callback_handle,
    provider_webhook_handle,
    refund_callback_handle,
)


def _headers(request: Request) -> dict[str, str]:
    return {str(key): str(value) for key, value in request._request.headers.items()}


def _body(request: Request) -> bytes:
    # The raw bytes, not request.data: signatures are computed over exactly what was sent.
    return bytes(request._request.body)


class ProviderPostApi(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []


CALLBACK_SCHEMA: dict[str, Any] = {
    "request": {"application/json": OpenApiTypes.OBJECT},
    "responses": {200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
    "auth": [],
}


class PaymentCallbackApi(ProviderPostApi):
    @extend_schema(operation_id="payments_callback", **CALLBACK_SCHEMA)
    def post(self, request: Request, token: str) -> Response:
        outcome = payment_callback_handle(
            token=token, body=_body(request), headers=_headers(request)
        )
        return Response(outcome.body, status=outcome.status)


class RefundCallbackApi(ProviderPostApi):
    @extend_schema(operation_id="payments_refund_callback", **CALLBACK_SCHEMA)
    def post(self, request: Request, token: str) -> Response:
        outcome = refund_callback_handle(
            token=token, body=_body(request), headers=_headers(request)
        )
        return Response(outcome.body, status=outcome.status)


class ProviderWebhookApi(ProviderPostApi):
    @extend_schema(operation_id="payments_provider_webhook", **CALLBACK_SCHEMA)
    def post(self, request: Request, token: str) -> Response:
        outcome = provider_webhook_handle(
            token=token, body=_body(request), headers=_headers(request)
        )
        return Response(outcome.body, status=outcome.status)


class C2BValidationApi(ProviderPostApi):
    @extend_schema(operation_id="payments_c2b_validation", **CALLBACK_SCHEMA)
    def post(self, request: Request, token: str) -> Response:
        return Response(c2b_validation_handle(token=token, body=_body(request)))


class C2BConfirmationApi(ProviderPostApi):
    @extend_schema(operation_id="payments_c2b_confirmation", **CALLBACK_SCHEMA)
    def post(self, request: Request, token: str) -> Response:
        c2b_confirmation_handle(token=token, body=_body(request))
        return Response(dict(C2B_CONFIRMATION_ACK))
