"""The gateways' webhooks, on the root domain: verified and stored here, acted on by a task.

The answer is 200 as soon as the event is stored with its task (or known already), so the
gateway stops sending it; a malformed, forged or stale post is a 400 and stores nothing."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from billing.gateways.base import InvalidWebhook
from billing.services.webhooks import webhook_receive
from saas_platform.api.inbound import INBOUND_SCHEMA, InboundPostApi, raw_body, raw_headers
from saas_platform.errors import ValidationFailed


class GatewayWebhookApi(InboundPostApi):
    gateway = ""

    def post(self, request: Request) -> Response:
        try:
            stored = webhook_receive(
                gateway=self.gateway, body=raw_body(request), headers=raw_headers(request)
            )
        except InvalidWebhook as error:
            raise ValidationFailed(
                str(error) or "Invalid webhook.", code="invalid_webhook"
            ) from None
        return Response({"received": True, "duplicate": stored is None})


class StripeWebhookApi(GatewayWebhookApi):
    gateway = "stripe"

    @extend_schema(operation_id="billing_webhook_stripe", **INBOUND_SCHEMA)
    def post(self, request: Request) -> Response:
        return super().post(request)


class PaystackWebhookApi(GatewayWebhookApi):
    gateway = "paystack"

    @extend_schema(operation_id="billing_webhook_paystack", **INBOUND_SCHEMA)
    def post(self, request: Request) -> Response:
        return super().post(request)
