"""``python -m devtools.payments_sandbox --port 8099``: the provider sandbox for development."""

from __future__ import annotations

import argparse
import json

from devtools.payments_sandbox.core import SCENARIOS
from devtools.payments_sandbox.server import start_sandbox
from devtools.threaded_server import stop_on_signal


def main() -> None:
    parser = argparse.ArgumentParser(description="Local fake of the payment providers.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--callback-delay", type=float, default=2.0)
    parser.add_argument("--no-deliver", action="store_true", help="record callbacks only")
    parser.add_argument(
        "--webhook",
        action="append",
        default=[],
        metavar="PROVIDER=URL",
        help="where airtel/card/upi webhooks go (set on the provider's dashboard in real life)",
    )
    args = parser.parse_args()
    webhooks = dict(item.split("=", 1) for item in args.webhook)
    sandbox = start_sandbox(
        args.port,
        host=args.host,
        deliver=not args.no_deliver,
        callback_delay=args.callback_delay,
        webhook_urls=webhooks,
    )
    print(f"Payment sandbox on {sandbox.url}")
    print("Scenarios by the payer's last digit:")
    for number, scenario in sorted(SCENARIOS.items()):
        print(f"  {number}: {scenario.label}")
    print(f"Credentials: GET {sandbox.url}/__sandbox__/credentials")
    print(json.dumps(webhooks or {"webhooks": "none configured"}))
    stop_on_signal().wait()
    sandbox.stop()


if __name__ == "__main__":
    main()
