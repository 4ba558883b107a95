"""Every transactional test ends by flushing the public tables; the next one must still find
the rows migrations seed there (the plans, tax rates and the root domain), or a test would pass
or fail by the order it runs in (tests/conftest.py restores them)."""

from __future__ import annotations

import pytest
from django.conf import settings

from billing.models import Plan, TaxRate
from shared_apps.tenants.models import Domain

pytestmark = pytest.mark.django_db(transaction=True)


def _seeds() -> tuple[set[str], bool, bool]:
    plans = set(Plan.objects.values_list("code", flat=True))
    return (
        plans,
        TaxRate.objects.exists(),
        Domain.objects.filter(domain=settings.PLATFORM_DOMAIN).exists(),
    )


@pytest.mark.parametrize("turn", ["first", "second"])
def test_each_transactional_test_starts_with_the_public_seeds(turn: str) -> None:
    # the second turn runs after the first one's flush
    assert _seeds() == ({"starter", "growth", "scale"}, True, True), turn
