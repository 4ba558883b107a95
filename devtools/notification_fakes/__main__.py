"""``python -m devtools.notification_fakes --port 8097``: fake SMS and WhatsApp APIs for
development. The credentials default to the environment's (``SMS_USERNAME``, ``SMS_API_KEY``,
``WHATSAPP_TOKEN``, ``WHATSAPP_PHONE_NUMBER_ID``), else to the settings' development defaults,
so that the fakes accept what the platform sends. Every message is printed as it arrives."""

from __future__ import annotations

import argparse
import os
import signal
import threading

from devtools.notification_fakes.fakes import (
    SMS_CREDENTIALS,
    WHATSAPP_CREDENTIALS,
    SmsFake,
    WhatsAppFake,
)
from devtools.notification_fakes.server import start_notification_fakes


def main() -> None:
    parser = argparse.ArgumentParser(description="Local fakes of the SMS and WhatsApp APIs.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8097)
    args = parser.parse_args()
    sms = SmsFake(
        username=os.environ.get("SMS_USERNAME") or SMS_CREDENTIALS["username"],
        api_key=os.environ.get("SMS_API_KEY") or SMS_CREDENTIALS["api_key"],
    )
    whatsapp = WhatsAppFake(
        token=os.environ.get("WHATSAPP_TOKEN") or WHATSAPP_CREDENTIALS["token"],
        phone_number_id=os.environ.get("WHATSAPP_PHONE_NUMBER_ID")
        or WHATSAPP_CREDENTIALS["phone_number_id"],
    )
    fakes = start_notification_fakes(args.port, host=args.host, sms=sms, whatsapp=whatsapp)
    print(f"Fake SMS API on {fakes.sms_api_base} (SMS_API_BASE)", flush=True)
    print(f"Fake WhatsApp Cloud API on {fakes.whatsapp_api_base} (WHATSAPP_API_BASE)", flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    seen = 0
    while not stopped.wait(1.0):
        messages = [("sms", m) for m in sms.messages] + [("whatsapp", m) for m in whatsapp.messages]
        for channel, message in messages[seen:]:
            print(f"{channel} to {message['to']}: {message['text']}", flush=True)
        seen = len(messages)
    fakes.stop()


if __name__ == "__main__":
    main()
