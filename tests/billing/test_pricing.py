"""charge_amount and price_units: every charge model at and around each tier boundary."""

from __future__ import annotations

from decimal import Decimal

import pytest
from moneyed import Money

from billing.models import Charge, PlanPrice
from billing.pricing import ChargeTerms, charge_amount, price_units
from billing.tiers import Tier, parse_tiers
from saas_platform.errors import ValidationFailed

D = Decimal
# 1 to 100 at 1.00 (+5.00 flat once reached), 101 to 1000 at 0.50, above at 0.10.
TIERS = (
    Tier(up_to=D(100), unit_amount=D("1.00"), flat_amount=D("5.00")),
    Tier(up_to=D(1000), unit_amount=D("0.50"), flat_amount=D(0)),
    Tier(up_to=None, unit_amount=D("0.10"), flat_amount=D(0)),
)


def terms(model: str, **options: object) -> ChargeTerms:
    return ChargeTerms(model=model, currency="USD", **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("units", "free", "expected"),
    [(0, 0, "0.00"), (1, 0, "0.02"), (250, 0, "5.00"), (250, 100, "3.00"), (50, 100, "0.00")],
)
def test_standard_prices_each_unit_after_the_free_ones(
    units: int, free: int, expected: str
) -> None:
    priced = price_units(terms("standard", unit_amount=D("0.02"), free_units=D(free)), D(units))
    assert priced.amount == Money(expected, "USD")
    assert priced.billable_units == max(D(units - free), D(0))
    assert priced.free_units == min(D(units), D(free))


@pytest.mark.parametrize(
    ("units", "expected", "per_tier"),
    [
        (0, "0.00", []),
        (1, "6.00", ["6.00"]),
        (100, "105.00", ["105.00"]),
        (101, "105.50", ["105.00", "0.50"]),
        (1000, "555.00", ["105.00", "450.00"]),
        (1001, "555.10", ["105.00", "450.00", "0.10"]),
        (5000, "955.00", ["105.00", "450.00", "400.00"]),
    ],
)
def test_graduated_fills_each_tier_at_its_own_rate(
    units: int, expected: str, per_tier: list[str]
) -> None:
    priced = price_units(terms("graduated", tiers=TIERS), D(units))
    assert priced.amount == Money(expected, "USD")
    assert [str(line.amount.amount) for line in priced.lines] == per_tier
    assert sum(line.units for line in priced.lines) == D(units)


@pytest.mark.parametrize(
    ("units", "expected", "tier"),
    [
        (1, "6.00", 1),
        (100, "105.00", 1),
        (101, "50.50", 2),
        (1000, "500.00", 2),
        (1001, "100.10", 3),
    ],
)
def test_volume_prices_every_unit_in_the_one_tier_the_total_reaches(
    units: int, expected: str, tier: int
) -> None:
    priced = price_units(terms("volume", tiers=TIERS), D(units))
    assert priced.amount == Money(expected, "USD")
    assert [line.tier for line in priced.lines] == [tier]
    assert priced.lines[0].units == D(units)


def test_volume_of_nothing_costs_nothing() -> None:
    priced = price_units(terms("volume", tiers=TIERS), D(0))
    assert priced.amount == Money(0, "USD")
    assert priced.lines == []


@pytest.mark.parametrize(
    ("units", "free", "packages"),
    [(0, 0, 0), (1, 0, 1), (1000, 0, 1), (1001, 0, 2), (2000, 0, 2), (10500, 10000, 1)],
)
def test_package_rounds_started_packages_up(units: int, free: int, packages: int) -> None:
    charge = terms("package", unit_amount=D("1.50"), package_size=1000, free_units=D(free))
    priced = price_units(charge, D(units))
    assert priced.amount == Money(D("1.50") * packages, "USD")
    assert sum(line.units for line in priced.lines) == packages


def test_free_units_come_off_before_the_first_tier() -> None:
    priced = price_units(terms("graduated", tiers=TIERS, free_units=D(100)), D(150))
    # The 50 billable units are the first tier's, not the second's.
    assert [(line.tier, line.units) for line in priced.lines] == [(1, D(50))]
    assert priced.amount == Money("55.00", "USD")


def test_each_tier_is_rounded_to_the_minor_unit_and_the_lines_add_up() -> None:
    thirds = (Tier(up_to=D(3), unit_amount=D("0.333"), flat_amount=D(0)), *TIERS[2:])
    priced = price_units(terms("graduated", tiers=thirds), D(7))
    assert [line.amount for line in priced.lines] == [Money("1.00", "USD"), Money("0.40", "USD")]
    assert priced.amount == Money("1.40", "USD")


def test_a_currency_without_minor_units_is_rounded_to_whole_units() -> None:
    charge = ChargeTerms(model="standard", currency="UGX", unit_amount=D("2.6"))
    assert price_units(charge, D(3)).amount == Money(8, "UGX")


def test_negative_units_are_refused() -> None:
    with pytest.raises(ValidationFailed):
        price_units(terms("standard", unit_amount=D(1)), D(-1))


@pytest.mark.parametrize(
    ("tiers", "code"),
    [
        ([], "required"),
        ([{"up_to": 10, "unit_amount": "1"}], "last_tier_closed"),
        (
            [{"up_to": None, "unit_amount": "1"}, {"up_to": None, "unit_amount": "1"}],
            "open_tier_not_last",
        ),
        (
            [{"up_to": 10, "unit_amount": "1"}, {"up_to": 5, "unit_amount": "1"}, {"up_to": None}],
            "not_ascending",
        ),
        ([{"up_to": None, "unit_amount": -1}], "invalid"),
        ([{"up_to": None, "unit_amount": 0.5}], "invalid"),
        ([{"up_to": None, "unit_amount": "NaN"}], "invalid"),
        ([{"up_to": None, "colour": "red"}], "invalid"),
    ],
)
def test_malformed_tiers_are_refused_with_a_reason(tiers: list[object], code: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_tiers(tiers)
    assert [
        problem["code"] for problems in refused.value.fields.values() for problem in problems
    ] == [code]


@pytest.mark.django_db
def test_the_seeded_charges_price_in_each_currency(catalog: None) -> None:
    charge = Charge.objects.select_related("plan", "metric").get(
        plan__code="growth", metric__code="api_calls"
    )
    # 10,000 free calls, then 1,000 a package at USD 1 (KES 130).
    assert charge_amount(charge, D(12001), "USD").amount == Money(3, "USD")
    assert charge_amount(charge, D(12001), "KES").amount == Money(390, "KES")
    sales = Charge.objects.select_related("plan", "metric").get(
        plan__code="starter", metric__code="sales"
    )
    # 2,000 free, then 10,000 at 0.01 (the first tier) and 500 at 0.005.
    priced = charge_amount(sales, D(12500), "USD")
    assert [(line.tier, line.units) for line in priced.lines] == [(1, D(10000)), (2, D(500))]
    assert priced.amount == Money("102.50", "USD")


@pytest.mark.django_db
def test_every_plan_has_a_base_fee_in_each_required_currency(catalog: None) -> None:
    for code in ("starter", "growth", "scale"):
        currencies = set(
            PlanPrice.objects.filter(plan__code=code).values_list("amount_currency", flat=True)
        )
        assert {"USD", "KES", "NGN", "GHS", "ZAR", "INR"} <= currencies
