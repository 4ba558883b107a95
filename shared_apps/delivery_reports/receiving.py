"""Delivery reports as they arrive on the root domain: checked (the token in Africa's Talking's
URL, WhatsApp's signature), read whole, then each routed to the business that sent its message
by the public index (``MessageRoute``) and recorded inside that business's schema.

Nothing in a report chooses the business: not a phone number, not an account id, only the
index row the business's own send wrote. A message id nobody recorded is counted and dropped.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django_tenants.utils import tenant_context

from saas_platform.errors import NotFound
from shared_apps.delivery_reports.selectors import message_route_businesses
from shared_apps.tenants.models import Tenant
from tenant_apps.notifications.providers import africastalking, whatsapp_cloud
from tenant_apps.notifications.providers.base import DeliveryReport
from tenant_apps.notifications.services import notification_delivery_record


@dataclass(frozen=True)
class ReportOutcome:
    reports: int  # statuses the post carried
    matched: int  # of which name a message a business of ours sent
    applied: int  # log rows they changed (0 for a repeat or a late, lesser status)


def reports_route(*, provider: str, reports: list[DeliveryReport]) -> ReportOutcome:
    """Records each report in the business that sent its message, one business at a time."""
    businesses = message_route_businesses(
        provider=provider, message_ids=[r.message_id for r in reports]
    )
    tenants: dict[int, Tenant] = {}
    groups: defaultdict[int, list[DeliveryReport]] = defaultdict(list)
    for report in reports:
        tenant = businesses.get(report.message_id)
        if tenant is not None:
            tenants[tenant.pk] = tenant
            groups[tenant.pk].append(report)
    applied = 0
    for pk in sorted(groups):
        with tenant_context(tenants[pk]):
            for report in groups[pk]:
                applied += notification_delivery_record(report=report)
    matched = sum(len(own) for own in groups.values())
    return ReportOutcome(reports=len(reports), matched=matched, applied=applied)


def sms_report_receive(*, token: str, body: bytes) -> ReportOutcome:
    """An Africa's Talking delivery report posted to ``…/africastalking/<token>/``: a wrong
    token is a 404 (no such callback URL), a body we cannot read a 400; nothing is changed."""
    if not africastalking.report_token_valid(token):
        raise NotFound("No such callback.")
    report = africastalking.delivery_report_parse(body)
    return reports_route(provider=africastalking.NAME, reports=[report])


def whatsapp_status_receive(*, body: bytes, headers: dict[str, str]) -> ReportOutcome:
    """A WhatsApp status webhook: its signature over exactly ``body`` is checked first (a 403,
    nothing read), then the whole post is read (a 400 for any part we cannot read, nothing
    applied), then each status is routed."""
    lowered = {key.lower(): value for key, value in headers.items()}
    whatsapp_cloud.signature_check(
        body=body, header=lowered.get(whatsapp_cloud.SIGNATURE_HEADER.lower(), "")
    )
    reports = whatsapp_cloud.status_webhook_parse(body)
    return reports_route(provider=whatsapp_cloud.NAME, reports=reports)


def whatsapp_subscription_verify(*, mode: str, verify_token: str, challenge: str) -> str:
    """The answer to Meta's check of the webhook URL (``Forbidden`` unless it is ours)."""
    return whatsapp_cloud.subscription_challenge(
        mode=mode, verify_token=verify_token, challenge=challenge
    )
