"""``python -m devtools.billing_fakes --port 8098``: fake Stripe and Paystack for development.

The keys default to the environment's (``STRIPE_SECRET_KEY``, ``STRIPE_WEBHOOK_SECRET``,
``PAYSTACK_SECRET_KEY``) so that the fakes accept what the platform's settings send, else to
the settings' development defaults."""

from __future__ import annotations

import argparse
import os

from devtools.billing_fakes import paystack_fake, stripe_fake
from devtools.billing_fakes.paystack_fake import PaystackFake
from devtools.billing_fakes.server import start_billing_fakes
from devtools.billing_fakes.stripe_fake import StripeFake
from devtools.threaded_server import stop_on_signal


def main() -> None:
    parser = argparse.ArgumentParser(description="Local fakes of Stripe and Paystack.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8098)
    parser.add_argument("--stripe-webhook", default="", metavar="URL", help="where events go")
    parser.add_argument("--paystack-webhook", default="", metavar="URL", help="where events go")
    args = parser.parse_args()
    stripe = StripeFake(
        secret_key=os.environ.get("STRIPE_SECRET_KEY") or stripe_fake.CREDENTIALS["secret_key"],
        webhook_secret=os.environ.get("STRIPE_WEBHOOK_SECRET")
        or stripe_fake.CREDENTIALS["webhook_secret"],
        webhook_url=args.stripe_webhook,
    )
    paystack = PaystackFake(
        secret_key=os.environ.get("PAYSTACK_SECRET_KEY") or paystack_fake.CREDENTIALS["secret_key"],
        webhook_url=args.paystack_webhook,
    )
    fakes = start_billing_fakes(args.port, host=args.host, stripe=stripe, paystack=paystack)
    print(f"Fake Stripe on {fakes.stripe_api_base} (STRIPE_API_BASE)")
    print(f"Fake Paystack on {fakes.paystack_api_base} (PAYSTACK_API_BASE)")
    print("Stripe test cards: 4242 4242 4242 4242 pays, 4000 0000 0000 0002 declines later,")
    print("  4000 0027 6000 3184 needs authentication.")
    print("Paystack pay page: card 4084 0840 8408 4081 or M-Pesa 0712 340 123.")
    print(f"Webhooks: stripe → {args.stripe_webhook or 'outbox only'}, ", end="")
    print(f"paystack → {args.paystack_webhook or 'outbox only'}")
    stop_on_signal().wait()
    fakes.stop()


if __name__ == "__main__":
    main()
