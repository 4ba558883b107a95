"""The shape of a charge's tiers, checked wherever tiers come in (console API, seed, clean)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from saas_platform.errors import ValidationFailed

MAX_TIERS = 20


@dataclass(frozen=True)
class Tier:
    # The last unit this tier covers (inclusive); None: every unit above the previous tier.
    up_to: Decimal | None
    unit_amount: Decimal
    flat_amount: Decimal


def _decimal(value: Any, where: str) -> Decimal:
    if isinstance(value, bool | float) or value is None:
        raise ValidationFailed.for_field(where, "invalid", "Give a decimal number as a string.")
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValidationFailed.for_field(where, "invalid", "Give a decimal number.") from exc
    if not number.is_finite() or number < 0:
        raise ValidationFailed.for_field(where, "invalid", "Give a number of zero or more.")
    return number


def parse_tiers(raw: Any, *, field: str = "tiers") -> list[Tier]:
    """The tiers of ``raw`` (the JSON stored on a charge price), or ``ValidationFailed``: at
    least one tier, ascending ``up_to``, only the last one open (``up_to`` null)."""
    if not isinstance(raw, list) or not raw:
        raise ValidationFailed.for_field(field, "required", "Give at least one tier.")
    if len(raw) > MAX_TIERS:
        raise ValidationFailed.for_field(field, "too_many", f"At most {MAX_TIERS} tiers.")
    tiers: list[Tier] = []
    previous = Decimal(0)
    for index, item in enumerate(raw):
        where = f"{field}[{index}]"
        if not isinstance(item, dict) or set(item) - {"up_to", "unit_amount", "flat_amount"}:
            raise ValidationFailed.for_field(
                where, "invalid", "A tier has up_to, unit_amount and flat_amount only."
            )
        last = index == len(raw) - 1
        up_to_raw = item.get("up_to")
        if up_to_raw is None:
            if not last:
                raise ValidationFailed.for_field(
                    f"{where}.up_to", "open_tier_not_last", "Only the last tier may be open."
                )
            up_to = None
        else:
            up_to = _decimal(up_to_raw, f"{where}.up_to")
            if up_to <= previous:
                raise ValidationFailed.for_field(
                    f"{where}.up_to", "not_ascending", "Each tier must end above the one before."
                )
            if last:
                raise ValidationFailed.for_field(
                    f"{where}.up_to", "last_tier_closed", "The last tier must be open (null)."
                )
            previous = up_to
        tiers.append(
            Tier(
                up_to=up_to,
                unit_amount=_decimal(item.get("unit_amount", "0"), f"{where}.unit_amount"),
                flat_amount=_decimal(item.get("flat_amount", "0"), f"{where}.flat_amount"),
            )
        )
    return tiers
