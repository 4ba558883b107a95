"""SMS through an Africa's Talking-style API.

``POST {SMS_API_BASE}/version1/messaging``, form-encoded ``username``, ``to`` (E.164, several
comma-separated), ``message`` and optionally ``from`` (a sender id or short code), with the
header ``apiKey`` and ``Accept: application/json``. The answer (201)::

    {"SMSMessageData": {"Message": "Sent to 1/1 Total Cost: KES 0.8000",
      "Recipients": [{"statusCode": 101, "number": "+254711000111", "status": "Success",
                      "cost": "KES 0.8000", "messageId": "ATPid_SampleTxnId123"}]}}

A recipient's ``statusCode`` 100 (processed), 101 (sent) or 102 (queued) means it was taken;
anything else (403 InvalidPhoneNumber, 405 InsufficientBalance, 406 UserInBlacklist, …) is a
refusal of that recipient. The API has no idempotency key: the same request twice is two SMS.

Delivery reports: AT posts, form-encoded, to the callback URL of the account's dashboard ``id``
(the ``messageId``), ``status`` (``Sent``, ``Submitted``, ``Buffered``, ``Rejected``,
``Success``, ``Failed``, ``AbsentSubscriber``, ``Expired``), ``phoneNumber``, ``networkCode``,
``failureReason`` (with a failure: ``InsufficientCredit``, ``AbsentSubscriber``,
``UserInBlacklist``, …) and ``retryCount``. Nothing is signed: the URL carries our unguessable
token (``SMS_DELIVERY_REPORT_TOKEN``).
"""

from __future__ import annotations

import contextlib
import hmac
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import parse_qs

from django.conf import settings

from saas_platform.errors import FieldErrorCollector, ValidationFailed
from tenant_apps.notifications.models import DeliveryStatus
from tenant_apps.notifications.providers.base import (
    DeliveryReport,
    HttpTextProvider,
    ProviderError,
    SendResult,
    message_id_valid,
    post,
    report_text,
    status_failure,
    unreadable_answer,
)

TAKEN = frozenset({100, 101, 102})


@dataclass(kw_only=True)
class AfricasTalkingSms(HttpTextProvider):
    name: ClassVar[str] = "africastalking"
    username: str
    api_key: str
    sender_id: str

    @classmethod
    def from_settings(cls) -> AfricasTalkingSms:
        return cls(
            base_url=settings.SMS_API_BASE,
            username=settings.SMS_USERNAME,
            api_key=settings.SMS_API_KEY,
            sender_id=settings.SMS_SENDER_ID,
            timeout=settings.NOTIFICATION_PROVIDER_TIMEOUT,
        )

    def send(self, *, to: str, text: str) -> SendResult:
        if not (self.username and self.api_key):
            raise ProviderError("No SMS account is configured.", code="not_configured")
        form = {"username": self.username, "to": to, "message": text}
        if self.sender_id:
            form["from"] = self.sender_id
        response = post(
            "The SMS provider",
            f"{self.base_url}/version1/messaging",
            timeout=self.timeout,
            headers={"apiKey": self.api_key, "Accept": "application/json"},
            data=form,
        )
        if not response.is_success:
            raise status_failure("The SMS provider", response, response.text[:200])
        recipient = _first_recipient(response)
        code = recipient.get("statusCode")
        if code not in TAKEN:
            status = str(recipient.get("status") or "Rejected")
            raise ProviderError(
                f"The SMS provider did not take the message: {status} ({code}).",
                code=status[:40],
            )
        return SendResult(provider=self.name, message_id=str(recipient.get("messageId") or ""))


def _first_recipient(response: Any) -> dict[str, Any]:
    """The one recipient of a 2xx answer; an answer we cannot read may still mean it went."""
    try:
        data = response.json()
        recipients = data["SMSMessageData"]["Recipients"]
        recipient = recipients[0]
        if not isinstance(recipient, dict):
            raise TypeError
    except (ValueError, KeyError, IndexError, TypeError):
        message = ""
        with contextlib.suppress(ValueError, KeyError, TypeError):
            message = str(response.json()["SMSMessageData"]["Message"])
        if message and not message.startswith("Sent"):
            raise ProviderError(
                f"The SMS provider sent nothing: {message[:200]}", code="rejected"
            ) from None
        raise unreadable_answer("The SMS provider") from None
    return recipient


# --- delivery reports ---------------------------------------------------------------------------

NAME = AfricasTalkingSms.name
REPORT_STATUSES = {
    "Sent": DeliveryStatus.SENT,
    "Submitted": DeliveryStatus.SENT,
    "Buffered": DeliveryStatus.SENT,
    "Success": DeliveryStatus.DELIVERED,
    "Rejected": DeliveryStatus.FAILED,
    "Failed": DeliveryStatus.FAILED,
    "AbsentSubscriber": DeliveryStatus.FAILED,
    "Expired": DeliveryStatus.FAILED,
}


def report_token_valid(token: str) -> bool:
    """Whether ``token`` (from the callback's path) is the platform's. No token configured
    refuses every report rather than accepting an empty one."""
    expected = settings.SMS_DELIVERY_REPORT_TOKEN
    return bool(expected) and hmac.compare_digest(
        token.encode("utf-8", "replace"), expected.encode("utf-8")
    )


def delivery_report_parse(body: bytes) -> DeliveryReport:
    """One delivery report from its form-encoded body; ``ValidationFailed`` for one we cannot
    read. A status not in AT's documented list is kept as ``raw_status`` with no status of ours
    (ignored, not refused: AT may add one, and refusing would only make it post again)."""
    try:
        form = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20)
    except ValueError:  # not UTF-8 (UnicodeDecodeError), or too many fields
        raise ValidationFailed(
            "A delivery report is a form-encoded body in UTF-8.", code="invalid_report"
        ) from None

    def field(name: str) -> str:
        values = form.get(name)
        return values[-1].strip() if values else ""

    problems = FieldErrorCollector()
    message_id, status = field("id"), field("status")
    if not message_id_valid(message_id):
        problems.add("id", "invalid", "Give the message id the send answered (messageId).")
    if not status or len(status) > 40 or not status.isalnum():
        problems.add("status", "invalid", "Give the delivery status (Success, Failed, …).")
    problems.raise_if_any(message="The delivery report cannot be read.")
    ours = REPORT_STATUSES.get(status, "")
    error = ""
    if ours == DeliveryStatus.FAILED:
        error = report_text(field("failureReason")) or status
    return DeliveryReport(
        provider=NAME, message_id=message_id, status=ours, raw_status=status, error=error
    )
