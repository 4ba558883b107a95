"""What callers ask of the sales services: carts, tenders, checkouts and returns, as the API (or
the demo seeding) builds them from validated input. Plain values: no rows are read here."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from uuid import UUID

ZERO = Decimal(0)


@dataclass(frozen=True)
class LineRequest:
    product_id: int
    quantity: Decimal
    unit_price: Decimal | None = None
    discount: Decimal = ZERO


@dataclass(frozen=True)
class CartRequest:
    """What decides a cart's price: the part of a checkout that a quote takes too."""

    lines: list[LineRequest]
    customer_id: int | None = None
    price_list: str = ""
    cart_discount: Decimal = ZERO
    cart_discount_percent: Decimal = ZERO
    coupon: str = ""


@dataclass(frozen=True)
class TenderRequest:
    method: str
    amount: Decimal = ZERO
    payer: str = ""
    points: int | None = None
    # The currency the client says ``amount`` is in ("" = the business's). A business has one
    # currency and there is no conversion, so any other is refused rather than booked as ours.
    currency: str = ""


@dataclass(frozen=True)
class CheckoutRequest:
    # The cart's fields are repeated rather than nested in a CartRequest: the digest of a sale
    # made before must stay the same, or resending it would be refused as a different sale.
    uuid: UUID
    register_id: int
    lines: list[LineRequest]
    tenders: list[TenderRequest] = field(default_factory=list)
    customer_id: int | None = None
    price_list: str = ""
    cart_discount: Decimal = ZERO
    cart_discount_percent: Decimal = ZERO
    coupon: str = ""
    note: str = ""
    park: bool = False
    # Made by the terminal while offline and sent when the connection came back: the goods
    # have left, so a line short of stock is sold below zero and flagged, never refused.
    offline: bool = False
    # The provisional number the offline receipt printed (device and its own sequence).
    device_number: str = ""

    def digest(self) -> str:
        data = asdict(self)
        # Left out while unset, so a sale sent before these fields existed replays alike.
        for name in ("offline", "device_number"):
            if not data[name]:
                data.pop(name)
        # A tender's currency can only repeat the business's (any other is refused), so it does
        # not tell two sales apart; left out, a sale sent before clients sent it replays alike.
        for tender in data["tenders"]:
            tender.pop("currency", None)
        payload = json.dumps(data, sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()

    @property
    def cart(self) -> CartRequest:
        return CartRequest(
            lines=self.lines,
            customer_id=self.customer_id,
            price_list=self.price_list,
            cart_discount=self.cart_discount,
            cart_discount_percent=self.cart_discount_percent,
            coupon=self.coupon,
        )


@dataclass(frozen=True)
class ReturnLineRequest:
    line_id: int
    quantity: Decimal
    restock: bool = True
