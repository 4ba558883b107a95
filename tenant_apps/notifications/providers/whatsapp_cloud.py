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
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from tenant_apps.notifications.providers.base import (
    ProviderError,
    SendResult,
    post,
    status_failure,
)


class WhatsAppCloud:
    name = "whatsapp_cloud"

    def __init__(
        self,
        *,
        base_url: str,
        version: str,
        phone_number_id: str,
        token: str,
        template: str,
        language: str,
        timeout: float,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.version = version
        self.phone_number_id = phone_number_id
        self.token = token
        self.template = template
        self.language = language
        self.timeout = timeout

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
            raise ProviderError(
                "WhatsApp answered 2xx with a body we cannot read.",
                code="bad_answer",
                unknown=True,
            ) from None
        return SendResult(provider=self.name, message_id=str(message_id))


def _error_text(response: Any) -> str:
    try:
        error = response.json()["error"]
        return f"{error.get('message', '')} (code {error.get('code', '?')})"
    except (ValueError, KeyError, TypeError, AttributeError):
        return response.text[:200]
