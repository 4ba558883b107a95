"""What platform owners send to edit the catalog, for the catalog services."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class ChargePriceInput:
    currency: str
    unit_amount: Decimal | None = None
    tiers: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class ChargeInput:
    metric_code: str
    model: str
    free_units: Decimal = Decimal(0)
    package_size: int | None = None
    prices: tuple[ChargePriceInput, ...] = ()
