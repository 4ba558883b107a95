"""What a business owner does on a fake gateway's hosted page, done over HTTP: for the demo
business that `make run` seeds, which saves its payment method as an owner would."""

from __future__ import annotations

import httpx

TEST_CARD = "4242424242424242"


def save_method_on_hosted_page(url: str, *, timeout: float = 10) -> None:
    """Submits the hosted page at ``url`` (the fake Stripe's Checkout page: a test card; the
    fake Paystack's pay page: M-Pesa) the way the owner's browser would. Raises
    ``httpx.HTTPError`` when the page is not there or refuses."""
    form = (
        {"card": TEST_CARD, "action": "save"}
        if "/stripe/checkout/" in url
        else {"method": "mobile_money", "result": "success"}
    )
    # The page answers by redirecting to the business's return URL, which need not resolve here.
    response = httpx.post(url, data=form, timeout=timeout, follow_redirects=False)
    if response.is_error:  # 4xx: the page refused (its error is in the body)
        response.raise_for_status()
