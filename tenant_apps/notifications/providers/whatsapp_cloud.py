"""WhatsApp through Meta's WhatsApp Cloud API.

``POST {WHATSAPP_API_BASE}/{WHATSAPP_API_VERSION}/{WHATSAPP_PHONE_NUMBER_ID}/messages`` with
``Authorization: Bearer <token>`` and a JSON body::

    {"messaging_product": "whatsapp", "recipient_type": "individual", "to": "254712345678",
     "type": "text", "text": {"body": "…"}}

or, to start a conversation (outside the 24-hour window a business may only send templates),
``"type": "template", "template": {"name": …, "language": {"code": "en"}, "components":
[{"type": "body", "parameters": [{"type": "text", "text": "…"}]}]}``. The answer::

    {"messaging_product": "whatsapp", "contacts": [{"input": "…", "wa_id": "…"}],
     "messages": [{"id": "wamid.…"}]}

Errors are ``{"error": {"message", "type", "code", "fbtrace_id"}}`` (401 with code 190: the
token). There is no idempotency key.

Status webhooks: Meta first checks the callback URL with a GET (``hub.mode=subscribe``,
``hub.verify_token`` = ours, ``hub.challenge`` to echo as plain text), then POSTs JSON signed
with ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed by the app secret>``::

    {"object": "whatsapp_business_account", "entry": [{"id": "<WABA id>", "changes": [
      {"field": "messages", "value": {"messaging_product": "whatsapp", "metadata": {…},
       "statuses": [{"id": "wamid.…", "status": "sent|delivered|read|failed",
                     "timestamp": "1700000000", "recipient_id": "2547…",
                     "errors": [{"code": 131026, "title": "Message undeliverable"}]}]}}]}]}

One post may carry several statuses (and incoming messages, which are not ours to read here).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from django.conf import settings

from saas_platform.errors import Forbidden, ValidationFailed
from saas_platform.limits import InvalidJson, json_loads
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


@dataclass(kw_only=True)
class WhatsAppCloud(HttpTextProvider):
    name: ClassVar[str] = "whatsapp_cloud"
    version: str
    phone_number_id: str
    token: str
    template: str
    language: str

    @classmethod
    def from_settings(cls) -> WhatsAppCloud:
        return cls(
            base_url=settings.WHATSAPP_API_BASE,
            version=settings.WHATSAPP_API_VERSION,
            phone_number_id=settings.WHATSAPP_PHONE_NUMBER_ID,
            token=settings.WHATSAPP_TOKEN,
            template=settings.WHATSAPP_TEMPLATE,
            language=settings.WHATSAPP_TEMPLATE_LANGUAGE,
            timeout=settings.NOTIFICATION_PROVIDER_TIMEOUT,
        )

    def body(self, *, to: str, text: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to.lstrip("+"),
        }
        if self.template:
            message["type"] = "template"
            message["template"] = {
                "name": self.template,
                "language": {"code": self.language},
                "components": [{"type": "body", "parameters": [{"type": "text", "text": text}]}],
            }
        else:
            message["type"] = "text"
            message["text"] = {"preview_url": False, "body": text}
        return message

    def send(self, *, to: str, text: str) -> SendResult:
        if not (self.token and self.phone_number_id):
            raise ProviderError("No WhatsApp account is configured.", code="not_configured")
        response = post(
            "WhatsApp",
            f"{self.base_url}/{self.version}/{self.phone_number_id}/messages",
            timeout=self.timeout,
            headers={"Authorization": f"Bearer {self.token}"},
            json_body=self.body(to=to, text=text),
        )
        if not response.is_success:
            raise status_failure("WhatsApp", response, _error_text(response))
        try:
            message_id = response.json()["messages"][0]["id"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise unreadable_answer("WhatsApp") from None
        return SendResult(provider=self.name, message_id=str(message_id))


def _error_text(response: Any) -> str:
    try:
        error = response.json()["error"]
        return f"{error.get('message', '')} (code {error.get('code', '?')})"
    except (ValueError, KeyError, TypeError, AttributeError):
        return response.text[:200]


# --- status webhooks ----------------------------------------------------------------------------

NAME = WhatsAppCloud.name
STATUSES = {
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.READ,
    "failed": DeliveryStatus.FAILED,
}
SIGNATURE_HEADER = "X-Hub-Signature-256"
# Statuses' times we accept as the provider's (seconds since 1970): 2001 to 2286.
_TIMESTAMPS = range(1_000_000_000, 10_000_000_000)


def _same(given: str, expected: str) -> bool:
    # compare_digest refuses non-ASCII str: bytes, so that a strange header is only "wrong".
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))


def subscription_challenge(*, mode: str, verify_token: str, challenge: str) -> str:
    """The text to answer Meta's subscription check with; ``Forbidden`` unless it is a
    ``subscribe`` with our verify token (none configured refuses every check)."""
    expected = settings.WHATSAPP_WEBHOOK_VERIFY_TOKEN
    if (
        mode != "subscribe"
        or not expected
        or not _same(verify_token, expected)
        or not challenge
        or len(challenge) > 200
    ):
        raise Forbidden("The webhook verification failed.", code="verification_failed")
    return challenge


def signature_check(*, body: bytes, header: str) -> None:
    """``Forbidden`` unless ``header`` is ``sha256=`` and the HMAC-SHA256 of exactly ``body``
    keyed by the app secret (none configured refuses every post)."""
    secret = settings.WHATSAPP_APP_SECRET
    given = header.strip()
    if secret and given.startswith("sha256="):
        expected = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
        if _same(given.removeprefix("sha256=").lower(), expected):
            return
    raise Forbidden("The webhook signature is missing or wrong.", code="invalid_signature")


def _invalid(where: str, message: str) -> ValidationFailed:
    return ValidationFailed(
        f"{where}: {message}",
        code="invalid_report",
        fields={where: [{"code": "invalid", "message": message}]},
    )


def _list(value: object, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _invalid(where, "Must be a list.")
    return value


def _dict(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _invalid(where, "Must be an object.")
    return value


def _timestamp(value: object, where: str) -> datetime | None:
    if value is None or value == "":
        return None
    text = str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""
    if not text.isdigit() or int(text) not in _TIMESTAMPS:
        raise _invalid(where, "Must be seconds since 1970.")
    return datetime.fromtimestamp(int(text), tz=UTC)


def _failure(status: dict[str, Any], where: str) -> str:
    """``"131026: Message undeliverable"`` for each of a failed status's errors."""
    parts = []
    for index, error in enumerate(_list(status.get("errors"), f"{where}.errors")):
        error = _dict(error, f"{where}.errors[{index}]")
        text = report_text(error.get("title") or error.get("message"), limit=120)
        parts.append(f"{report_text(error.get('code'), limit=20) or '?'}: {text}")
    return report_text("; ".join(parts), limit=300) or "failed"


def status_webhook_parse(body: bytes) -> list[DeliveryReport]:
    """Every message status a (verified) webhook post carries, in order. The whole post is read
    before anything is done with it: a malformed one is ``ValidationFailed`` and nothing of it
    is applied. A status we do not track (``deleted``, …) comes back with no status of ours."""
    try:
        data = _dict(json_loads(body), "body")
    except InvalidJson:
        raise ValidationFailed("The webhook body is not JSON.", code="parse_error") from None
    if data.get("object") != "whatsapp_business_account":
        raise _invalid("object", "Must be whatsapp_business_account.")
    reports = []
    for e, entry in enumerate(_list(data.get("entry"), "entry")):
        entry = _dict(entry, f"entry[{e}]")
        for c, change in enumerate(_list(entry.get("changes"), f"entry[{e}].changes")):
            change = _dict(change, f"entry[{e}].changes[{c}]")
            if change.get("field") != "messages":
                continue  # another subscription of the app (templates, account updates)
            value = _dict(change.get("value"), f"entry[{e}].changes[{c}].value")
            statuses = _list(value.get("statuses"), f"entry[{e}].changes[{c}].value.statuses")
            for s, status in enumerate(statuses):
                where = f"entry[{e}].changes[{c}].value.statuses[{s}]"
                status = _dict(status, where)
                message_id, raw = status.get("id"), status.get("status")
                if not message_id_valid(message_id):
                    raise _invalid(f"{where}.id", "Must be the message id the send answered.")
                if not isinstance(raw, str) or not raw or len(raw) > 40:
                    raise _invalid(f"{where}.status", "Must be a status (sent, delivered, …).")
                ours = STATUSES.get(raw, "")
                reports.append(
                    DeliveryReport(
                        provider=NAME,
                        message_id=str(message_id),
                        status=ours,
                        raw_status=raw,
                        error=_failure(status, where) if ours == DeliveryStatus.FAILED else "",
                        at=_timestamp(status.get("timestamp"), f"{where}.timestamp"),
                    )
                )
    return reports
