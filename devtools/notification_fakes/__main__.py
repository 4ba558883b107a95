"""``python -m devtools.notification_fakes --port 8097``: fake SMS and WhatsApp APIs for
development. The credentials default to the environment's (``SMS_USERNAME``, ``SMS_API_KEY``,
``WHATSAPP_TOKEN``, ``WHATSAPP_PHONE_NUMBER_ID``), else to the settings' development defaults,
so that the fakes accept what the platform sends. Every message is printed as it arrives.

With ``--sms-report-url`` / ``--whatsapp-report-url`` (``make run`` gives both, pointing at
the root domain) every message taken is reported back a moment later, as the providers do:
delivered (WhatsApp: then read), or failed for a number ending in 9. The WhatsApp reports are
signed with ``WHATSAPP_APP_SECRET`` (else the development default)."""

from __future__ import annotations

import argparse
import os

from devtools.notification_fakes.fakes import (
    SMS_CREDENTIALS,
    WHATSAPP_CREDENTIALS,
    SmsFake,
    WhatsAppFake,
)
from devtools.notification_fakes.server import start_notification_fakes
from devtools.threaded_server import stop_on_signal


def main() -> None:
    parser = argparse.ArgumentParser(description="Local fakes of the SMS and WhatsApp APIs.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8097)
    parser.add_argument(
        "--sms-report-url", default="", metavar="URL", help="AT's delivery report callback URL"
    )
    parser.add_argument(
        "--whatsapp-report-url", default="", metavar="URL", help="WhatsApp's webhook URL"
    )
    args = parser.parse_args()
    sms = SmsFake(
        username=os.environ.get("SMS_USERNAME") or SMS_CREDENTIALS["username"],
        api_key=os.environ.get("SMS_API_KEY") or SMS_CREDENTIALS["api_key"],
        report_url=args.sms_report_url,
        auto_report=bool(args.sms_report_url),
    )
    whatsapp = WhatsAppFake(
        token=os.environ.get("WHATSAPP_TOKEN") or WHATSAPP_CREDENTIALS["token"],
        phone_number_id=os.environ.get("WHATSAPP_PHONE_NUMBER_ID")
        or WHATSAPP_CREDENTIALS["phone_number_id"],
        app_secret=os.environ.get("WHATSAPP_APP_SECRET") or WHATSAPP_CREDENTIALS["app_secret"],
        verify_token=os.environ.get("WHATSAPP_WEBHOOK_VERIFY_TOKEN")
        or WHATSAPP_CREDENTIALS["verify_token"],
        report_url=args.whatsapp_report_url,
        auto_report=bool(args.whatsapp_report_url),
    )
    fakes = start_notification_fakes(args.port, host=args.host, sms=sms, whatsapp=whatsapp)
    print(f"Fake SMS API on {fakes.sms_api_base} (SMS_API_BASE)", flush=True)
    print(f"Fake WhatsApp Cloud API on {fakes.whatsapp_api_base} (WHATSAPP_API_BASE)", flush=True)
    print(f"Delivery reports: sms → {args.sms_report_url or 'outbox only'}, ", end="")
    print(f"whatsapp → {args.whatsapp_report_url or 'outbox only'}", flush=True)
    stopped = stop_on_signal()
    seen = 0
    reported = {"sms": 0, "whatsapp": 0}
    while not stopped.wait(1.0):
        messages = [("sms", m) for m in sms.messages] + [("whatsapp", m) for m in whatsapp.messages]
        for channel, message in messages[seen:]:
            print(f"{channel} to {message['to']}: {message['text']}", flush=True)
        seen = len(messages)
        for name, fake in (("sms", sms), ("whatsapp", whatsapp)):
            posted = list(fake.delivered)
            for report in posted[reported[name] :]:
                print(f"{name} delivery report: HTTP {report['status']}", flush=True)
            reported[name] = len(posted)
    fakes.stop()


if __name__ == "__main__":
    main()
