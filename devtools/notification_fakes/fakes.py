"""The two fakes: what each checks (credentials, content type, fields), what each answers (the
documented wire formats), what each records (every message taken), and their knobs.

SMS (Africa's Talking-style): ``POST /africastalking/version1/messaging``, form-encoded
``username``, ``to`` (E.164, comma-separated), ``message``, optional ``from``; header
``apiKey``. 201 ``{"SMSMessageData": {"Message", "Recipients": [{"statusCode", "number",
"status", "cost", "messageId"}]}}``; a wrong key is 401 with a plain-text body; a number that
is not ``+`` and 7 to 15 digits is a recipient with ``statusCode`` 403 ``InvalidPhoneNumber``.

WhatsApp Cloud API: ``POST /whatsapp/{version}/{phone-number-id}/messages`` with ``Authorization:
Bearer <token>`` and JSON ``{"messaging_product": "whatsapp", "to", "type": "text"|"template",
…}``. 200 ``{"messaging_product", "contacts": [{"input", "wa_id"}], "messages": [{"id"}]}``;
errors ``{"error": {"message", "type", "code", "fbtrace_id"}}`` (401 code 190 for the token,
400 code 100 for a bad parameter).

Delivery reports (docs/notifications.md, "Delivery reports"): ``report_delivery(message_id,
status)`` makes the report the provider would send for a message it took — SMS a form post
``id``, ``status``, ``phoneNumber``, ``networkCode``, ``failureReason``, ``retryCount`` to the
callback URL (which carries the platform's token, as set in AT's dashboard); WhatsApp a status
webhook signed with ``X-Hub-Signature-256`` (HMAC-SHA256 of the body, keyed by the app
secret). Each is kept in ``outbox`` and, when ``report_url`` is set, POSTed there. With
``auto_report`` on, every message taken is reported a moment after the answer: delivered, or
failed for a number ending in 9.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode

import httpx

from devtools.fault_knobs import FaultKnobs
from devtools.payments_sandbox.core import Request, Response, reply
from devtools.webhook_delivery import Delivery, WebhookSender

SMS_CREDENTIALS = {"username": "sandbox", "api_key": "at_duka_fake_key"}
WHATSAPP_CREDENTIALS = {
    "token": "wa_duka_fake_token",
    "phone_number_id": "100000000000001",
    # The settings' development defaults: the Meta app's secret and the webhook verify token.
    "app_secret": "wa_duka_fake_app_secret",
    "verify_token": "wa_duka_fake_verify_token",
}
SMS_PREFIX = "/africastalking"
WHATSAPP_PREFIX = "/whatsapp"

_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_WA_ID = re.compile(r"[1-9][0-9]{6,14}")
FORM = "application/x-www-form-urlencoded"


class _Fake(WebhookSender, FaultKnobs):
    def __init__(
        self, *, report_url: str = "", auto_report: bool = False, report_delay: float = 1.0
    ) -> None:
        self._lock = threading.RLock()
        # Where delivery reports go ("" = kept in ``outbox`` only), whether every message taken
        # is reported by itself, and how long after the answer (our side records the send
        # after the answer: a report before that names a message it does not know yet).
        self.report_url = report_url
        self.auto_report = auto_report
        self.report_delay = report_delay
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.messages: list[dict[str, Any]] = []
            self._reset_faults()
            self._rejections: list[tuple[int, str]] = []
            self._reset_webhooks()

    def sent_to(self, recipient: str) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(m) for m in self.messages if m["to"] == recipient]

    def message(self, message_id: str) -> dict[str, Any]:
        with self._lock:
            for message in self.messages:
                if message["id"] == message_id:
                    return dict(message)
        raise KeyError(f"no message {message_id!r} was taken")

    def _report_later(
        self, report: Callable[..., Delivery], message_id: str, statuses: list[Any]
    ) -> None:
        """The automatic reports of a message just taken (``(status, details)`` in order, by
        the fake's ``report_delivery``), after the answer."""
        if not self.auto_report:
            return
        for step, (status, details) in enumerate(statuses, start=1):
            report(message_id, status, delay=self.report_delay * step, **details)


class SmsFake(_Fake):
    def __init__(
        self,
        *,
        username: str = SMS_CREDENTIALS["username"],
        api_key: str = SMS_CREDENTIALS["api_key"],
        report_url: str = "",
        auto_report: bool = False,
    ) -> None:
        self.username = username
        self.api_key = api_key
        super().__init__(report_url=report_url, auto_report=auto_report)

    def report_delivery(
        self,
        message_id: str,
        status: str = "Success",
        *,
        delay: float = 0.0,
        failure_reason: str = "",
        network_code: str = "63902",
        retry_count: int = 0,
    ) -> Delivery:
        """The delivery report AT posts for ``message_id``: ``Success`` (delivered),
        ``Sent``/``Submitted``/``Buffered`` (on its way) or a failure (``Failed``,
        ``Rejected``, ``AbsentSubscriber``, ``Expired``) with its ``failure_reason``."""
        form = {
            "id": message_id,
            "status": status,
            "phoneNumber": self.message(message_id)["to"],
            "networkCode": network_code,
            "retryCount": str(retry_count),
        }
        if failure_reason:
            form["failureReason"] = failure_reason
        delivery = Delivery(urlencode(form).encode(), {"Content-Type": FORM})
        return self.send_webhook(self.report_url, delivery, delay=delay)

    def reject_next(self, status: str = "InsufficientBalance", code: int = 405) -> None:
        """The next message is refused for its recipient (2xx answer, a failure status)."""
        with self._lock:
            self._rejections.append((code, status))

    def authorized(self, request: Request) -> bool:
        return secrets.compare_digest(
            request.headers.get("apikey", "").encode(), self.api_key.encode()
        )

    def handle(self, request: Request) -> Response:
        if request.path != f"{SMS_PREFIX}/version1/messaging":
            return reply(404, {"error": "no such endpoint"})
        if request.method != "POST":
            return reply(405, {"error": "POST only"})
        if not self.authorized(request):
            return Response(401, b"The supplied authentication is invalid", "text/plain")
        if request.content_type != FORM:
            return Response(415, b"Unsupported content type", "text/plain")
        form = {k: v[-1] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
        if form.get("username") != self.username:
            return Response(401, b"The supplied authentication is invalid", "text/plain")
        numbers = [n.strip() for n in form.get("to", "").split(",") if n.strip()]
        text = form.get("message", "")
        if not numbers or not text:
            return Response(
                400, b"Request is missing required form field 'to' or 'message'", "text/plain"
            )
        recipients = []
        with self._lock:
            for number in numbers:
                rejection = self._rejections.pop(0) if self._rejections else None
                if not _E164.fullmatch(number):
                    rejection = (403, "InvalidPhoneNumber")
                if rejection:
                    code, status = rejection
                    recipients.append(
                        {
                            "statusCode": code,
                            "number": number,
                            "status": status,
                            "cost": "0",
                            "messageId": "None",
                        }
                    )
                    continue
                message_id = f"ATXid_{secrets.token_hex(16)}"
                self.messages.append(
                    {
                        "id": message_id,
                        "to": number,
                        "text": text,
                        "from": form.get("from", ""),
                        "username": form["username"],
                    }
                )
                # As the payment sandbox's payers: a number ending in 9 is never reached.
                outcome = (
                    ("Failed", {"failure_reason": "AbsentSubscriber"})
                    if number.endswith("9")
                    else ("Success", {})
                )
                self._report_later(self.report_delivery, message_id, [("Submitted", {}), outcome])
                recipients.append(
                    {
                        "statusCode": 101,
                        "number": number,
                        "status": "Success",
                        "cost": "KES 0.8000",
                        "messageId": message_id,
                    }
                )
        taken = sum(1 for r in recipients if r["statusCode"] == 101)
        return reply(
            201,
            {
                "SMSMessageData": {
                    "Message": f"Sent to {taken}/{len(recipients)} Total Cost: "
                    f"KES {taken * 0.8:.4f}",
                    "Recipients": recipients,
                }
            },
        )


def _wa_error(status: int, message: str, code: int, kind: str = "OAuthException") -> Response:
    return reply(
        status,
        {
            "error": {
                "message": message,
                "type": kind,
                "code": code,
                "fbtrace_id": secrets.token_hex(8),
            }
        },
    )


class WhatsAppFake(_Fake):
    def __init__(
        self,
        *,
        token: str = WHATSAPP_CREDENTIALS["token"],
        phone_number_id: str = WHATSAPP_CREDENTIALS["phone_number_id"],
        app_secret: str = WHATSAPP_CREDENTIALS["app_secret"],
        verify_token: str = WHATSAPP_CREDENTIALS["verify_token"],
        report_url: str = "",
        auto_report: bool = False,
    ) -> None:
        self.token = token
        self.phone_number_id = phone_number_id
        self.app_secret = app_secret
        self.verify_token = verify_token
        super().__init__(report_url=report_url, auto_report=auto_report)

    def sign(self, body: bytes, secret: str | None = None) -> str:
        """``X-Hub-Signature-256`` of ``body``, as Meta signs it (with another secret: forged)."""
        key = (self.app_secret if secret is None else secret).encode()
        return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()

    def report_delivery(
        self,
        message_id: str,
        status: str = "delivered",
        *,
        delay: float = 0.0,
        error_code: int = 131026,
        error_title: str = "Message undeliverable",
        timestamp: int | None = None,
    ) -> Delivery:
        """The status webhook Meta posts for ``message_id``: ``sent``, ``delivered``, ``read``
        or ``failed`` (with one error), signed with the app secret."""
        status_object: dict[str, Any] = {
            "id": message_id,
            "status": status,
            "timestamp": str(int(time.time()) if timestamp is None else timestamp),
            "recipient_id": self.message(message_id)["to"].lstrip("+"),
        }
        if status == "failed":
            status_object["errors"] = [
                {
                    "code": error_code,
                    "title": error_title,
                    "message": error_title,
                    "error_data": {"details": error_title},
                }
            ]
        body = json.dumps(
            {
                "object": "whatsapp_business_account",
                "entry": [
                    {
                        "id": "100000000000002",
                        "changes": [
                            {
                                "field": "messages",
                                "value": {
                                    "messaging_product": "whatsapp",
                                    "metadata": {
                                        "display_phone_number": "15550000001",
                                        "phone_number_id": self.phone_number_id,
                                    },
                                    "statuses": [status_object],
                                },
                            }
                        ],
                    }
                ],
            },
            separators=(",", ":"),
        ).encode()
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": self.sign(body)}
        return self.send_webhook(self.report_url, Delivery(body, headers), delay=delay)

    def check_subscription(self) -> bool:
        """What Meta does when the webhook URL is saved: a GET with ``hub.mode=subscribe``, the
        verify token and a challenge, which must come back as the plain-text answer."""
        challenge = str(secrets.randbelow(10**9))
        try:
            answer = httpx.get(
                self.report_url,
                params={
                    "hub.mode": "subscribe",
                    "hub.verify_token": self.verify_token,
                    "hub.challenge": challenge,
                },
                timeout=10,
            )
        except httpx.HTTPError:
            return False
        return answer.status_code == 200 and answer.text == challenge

    def authorized(self, request: Request) -> bool:
        return secrets.compare_digest(request.bearer().encode(), self.token.encode())

    def handle(self, request: Request) -> Response:
        match = re.fullmatch(
            rf"{WHATSAPP_PREFIX}/(?P<version>v[0-9]+\.[0-9]+)/(?P<phone_id>[^/]+)/messages",
            request.path,
        )
        if match is None:
            return _wa_error(400, "Unknown path components", 2500, "OAuthException")
        if request.method != "POST":
            return _wa_error(400, "Unsupported method", 100, "GraphMethodException")
        if not self.authorized(request):
            return _wa_error(401, "Invalid OAuth access token - Cannot parse access token", 190)
        if match["phone_id"] != self.phone_number_id:
            return _wa_error(
                400, "Unsupported post request. Object does not exist", 100, "GraphMethodException"
            )
        if request.content_type != "application/json":
            return _wa_error(400, "The request body must be JSON", 100)
        body = request.json()
        problem = _wa_problem(body)
        if problem:
            return _wa_error(400, f"(#100) {problem}", 100)
        to = body["to"]
        text = body["text"]["body"] if body["type"] == "text" else _template_text(body)
        message_id = f"wamid.{secrets.token_urlsafe(24)}"
        with self._lock:
            self.messages.append(
                {"id": message_id, "to": to, "type": body["type"], "text": text, "body": body}
            )
        outcomes: list[tuple[str, dict[str, Any]]] = (
            [("failed", {})] if to.endswith("9") else [("delivered", {}), ("read", {})]
        )
        self._report_later(self.report_delivery, message_id, [("sent", {}), *outcomes])
        return reply(
            200,
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to.lstrip("+")}],
                "messages": [{"id": message_id}],
            },
        )


def _wa_problem(body: Any) -> str:
    if not isinstance(body, dict):
        return "The parameter messaging_product is required."
    if body.get("messaging_product") != "whatsapp":
        return "The parameter messaging_product is required and must be whatsapp."
    to = body.get("to")
    if not isinstance(to, str) or not _WA_ID.fullmatch(to.lstrip("+")):
        return "Invalid parameter: to must be a phone number."
    kind = body.get("type", "text")
    if kind == "text":
        text = body.get("text")
        if not isinstance(text, dict) or not isinstance(text.get("body"), str) or not text["body"]:
            return "The parameter text['body'] is required."
        if len(text["body"]) > 4096:
            return "text['body'] is longer than 4096 characters."
        return ""
    if kind == "template":
        template = body.get("template")
        if not isinstance(template, dict) or not template.get("name"):
            return "The parameter template['name'] is required."
        language = template.get("language")
        if not isinstance(language, dict) or not language.get("code"):
            return "The parameter template['language']['code'] is required."
        return ""
    return f"Unsupported message type {kind!r}."


def _template_text(body: dict[str, Any]) -> str:
    parts = []
    for component in body["template"].get("components") or []:
        for parameter in component.get("parameters") or []:
            if parameter.get("type") == "text":
                parts.append(str(parameter.get("text", "")))
    return " ".join(parts)
