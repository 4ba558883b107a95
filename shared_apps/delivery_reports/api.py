"""The providers' delivery reports, on the root domain (one provider account serves every
business). Thin: the services check, read and route (``receiving.py``).

The answer to a report we accept is 200 even when it names no message of ours: the providers
post again after anything but a 2xx, and an id nobody recorded (a message sent before delivery
reports were kept, another application on the same account) will not become known by waiting.
A wrong token is a 404, a bad signature a 403, a body we cannot read a 400: nothing changes.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from saas_platform.api.inbound import InboundPostApi, raw_body, raw_headers
from saas_platform.api.openapi_errors import Error
from shared_apps.delivery_reports.receiving import (
    ReportOutcome,
    sms_report_receive,
    whatsapp_status_receive,
    whatsapp_subscription_verify,
)


class ReportAnswer(serializers.Serializer[Any]):
    received = serializers.BooleanField()
    reports = serializers.IntegerField(help_text="Message statuses the post carried.")
    matched = serializers.IntegerField(help_text="Of which name a message a business sent.")
    applied = serializers.IntegerField(help_text="Log rows they changed (0 for a repeat).")


class AfricasTalkingReportForm(serializers.Serializer[Any]):
    """Africa's Talking's delivery report, form-encoded (documentation only: the raw body is
    read by the service)."""

    id = serializers.CharField(help_text="The messageId the send answered.")
    status = serializers.CharField(help_text="Sent, Submitted, Buffered, Rejected, Success, …")
    phoneNumber = serializers.CharField(required=False)  # AT's field names, as posted
    networkCode = serializers.CharField(required=False)
    failureReason = serializers.CharField(required=False)
    retryCount = serializers.CharField(required=False)


def _answer(outcome: ReportOutcome) -> Response:
    return Response(
        ReportAnswer(
            {
                "received": True,
                "reports": outcome.reports,
                "matched": outcome.matched,
                "applied": outcome.applied,
            }
        ).data
    )


_FORBIDDEN = OpenApiResponse(Error, description="The signature or verify token is wrong.")


class AfricasTalkingReportApi(InboundPostApi):
    @extend_schema(
        operation_id="notifications_report_africastalking",
        request={"application/x-www-form-urlencoded": AfricasTalkingReportForm},
        responses={
            200: ReportAnswer,
            404: OpenApiResponse(Error, description="No such callback URL (a wrong token)."),
        },
        auth=[],
    )
    def post(self, request: Request, token: str) -> Response:
        return _answer(sms_report_receive(token=token, body=raw_body(request)))


class WhatsAppStatusApi(InboundPostApi):
    @extend_schema(
        operation_id="notifications_report_whatsapp_verify",
        parameters=[
            OpenApiParameter("hub.mode", str, description="subscribe"),
            OpenApiParameter("hub.verify_token", str),
            OpenApiParameter("hub.challenge", str, description="Echoed as plain text."),
        ],
        responses={(200, "text/plain"): OpenApiTypes.STR, 403: _FORBIDDEN},
        auth=[],
    )
    def get(self, request: Request) -> HttpResponse:
        challenge = whatsapp_subscription_verify(
            mode=request.query_params.get("hub.mode", ""),
            verify_token=request.query_params.get("hub.verify_token", ""),
            challenge=request.query_params.get("hub.challenge", ""),
        )
        return HttpResponse(challenge, content_type="text/plain; charset=utf-8")

    @extend_schema(
        operation_id="notifications_report_whatsapp",
        request={"application/json": OpenApiTypes.OBJECT},
        responses={200: ReportAnswer, 403: _FORBIDDEN},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        return _answer(
            whatsapp_status_receive(body=raw_body(request), headers=raw_headers(request))
        )
