"""Both fakes as one WSGI application served from a background thread, with a handle for tests
(``NotificationFakes``): SMS under ``/africastalking``, WhatsApp under ``/whatsapp``."""

from __future__ import annotations

import threading
import time
from typing import Any

from devtools.notification_fakes.fakes import SMS_PREFIX, WHATSAPP_PREFIX, SmsFake, WhatsAppFake
from devtools.payments_sandbox.core import LoggedWsgiApp, Request, Response, reply
from devtools.threaded_server import ServedFakes, ThreadedServer


class NotificationFakesApp(LoggedWsgiApp):
    def __init__(self, sms: SmsFake, whatsapp: WhatsAppFake) -> None:
        self.sms = sms
        self.whatsapp = whatsapp
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def _dispatch(self, request: Request) -> Response:
        fake: SmsFake | WhatsAppFake
        if request.path.startswith(f"{SMS_PREFIX}/"):
            fake = self.sms
        elif request.path.startswith(f"{WHATSAPP_PREFIX}/"):
            fake = self.whatsapp
        else:
            return reply(404, {"error": "no such endpoint in the fakes"})
        failure = fake.take_failure()
        if failure is not None:
            return reply(failure, {"error": "the fake is failing on purpose"})
        try:
            response = fake.handle(request)
        except Exception as exc:  # a fake still answers like a server
            return reply(500, {"error": f"notification fake failure: {exc!r}"})
        if response.status < 300:
            time.sleep(fake.take_lateness())
        return response


class NotificationFakes(ServedFakes):
    """Running fakes: their URL, each fake (records, knobs), the request log."""

    def __init__(self, app: NotificationFakesApp, served: ThreadedServer) -> None:
        super().__init__(app, served)
        self.sms = app.sms
        self.whatsapp = app.whatsapp

    @property
    def sms_api_base(self) -> str:
        return f"{self.url}{SMS_PREFIX}"

    @property
    def whatsapp_api_base(self) -> str:
        return f"{self.url}{WHATSAPP_PREFIX}"

    def settings(self) -> dict[str, str]:
        """The platform settings that point the providers at these fakes."""
        return {
            "SMS_API_BASE": self.sms_api_base,
            "SMS_USERNAME": self.sms.username,
            "SMS_API_KEY": self.sms.api_key,
            "WHATSAPP_API_BASE": self.whatsapp_api_base,
            "WHATSAPP_TOKEN": self.whatsapp.token,
            "WHATSAPP_PHONE_NUMBER_ID": self.whatsapp.phone_number_id,
            # What the WhatsApp fake signs its status webhooks with, and checks the URL with.
            "WHATSAPP_APP_SECRET": self.whatsapp.app_secret,
            "WHATSAPP_WEBHOOK_VERIFY_TOKEN": self.whatsapp.verify_token,
        }

    def resettable(self) -> list[Any]:
        return [self.sms, self.whatsapp]


def start_notification_fakes(
    port: int = 0,
    *,
    host: str = "127.0.0.1",
    sms: SmsFake | None = None,
    whatsapp: WhatsAppFake | None = None,
) -> NotificationFakes:
    """Serves fresh fakes from a background thread; ``port=0`` picks a free port."""
    app = NotificationFakesApp(sms or SmsFake(), whatsapp or WhatsAppFake())
    return NotificationFakes(
        app, ThreadedServer(app, host=host, port=port, name="notification-fakes")
    )
