"""Quantities of goods, with one precision for every column and every API field that holds
one: stock, sale and order lines, pack sizes, price breaks."""

from __future__ import annotations

from typing import Any

from django.db import models

MAX_DIGITS = 14
# Three decimals: weighed goods are sold by the gram.
DECIMAL_PLACES = 3


def quantity_field(**options: Any) -> models.DecimalField:
    return models.DecimalField(max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, **options)
