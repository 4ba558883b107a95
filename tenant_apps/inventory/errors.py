from __future__ import annotations

from saas_platform.errors import Conflict, ValidationFailed


class InsufficientStock(Conflict):
    code = "insufficient_stock"
    default_message = "There is not enough stock for this."


class StockDrift(InsufficientStock):
    """The level said there was stock but the batches disagree: the books need `verify_stock`.
    Unlike a plain shortage, part of the removal may have been written before this was found."""

    code = "stock_drift"


class InvalidQuantity(ValidationFailed):
    code = "validation_error"
