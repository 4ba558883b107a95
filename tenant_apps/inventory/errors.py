from __future__ import annotations

from saas_platform.errors import Conflict, ValidationFailed


class InsufficientStock(Conflict):
    code = "insufficient_stock"
    default_message = "There is not enough stock for this."


class InvalidQuantity(ValidationFailed):
    code = "validation_error"
