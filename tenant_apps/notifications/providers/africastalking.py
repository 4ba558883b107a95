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
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.conf import settings

from tenant_apps.notifications.providers.base import (
    ProviderError,
    SendResult,
    post,
    status_failure,
)

TAKEN = frozenset({100, 101, 102})


class AfricasTalkingSms:
    name = "africastalking"

    def __init__(
        self, *, base_url: str, username: str, api_key: str, sender_id: str, timeout: float
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.username = username
        self.api_key = api_key
        self.sender_id = sender_id
        self.timeout = timeout

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
        raise ProviderError(
            "The SMS provider answered 2xx with a body we cannot read.",
            code="bad_answer",
            unknown=True,
        ) from None
    return recipient
