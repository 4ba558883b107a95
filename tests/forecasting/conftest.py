"""Forecasting engine tests: plain data, no database (the engine never touches Django)."""

from __future__ import annotations

import pandas as pd
import pytest

from tenant_apps.forecasting.engine import Settings
from tenant_apps.forecasting.engine.synthetic import generate_sales

# Fewer, coarser trees than a business's nightly run: the tests check behaviour, not accuracy
# to the last percent, and must stay fast on two shared cores.
# Threads: the default, which tests/conftest.py sets to one per test process.
QUICK = Settings(num_boost_round=80, learning_rate=0.1)


@pytest.fixture(scope="module")
def sales() -> pd.DataFrame:
    """40 products over 16 months of daily sales, Kenyan holidays, no new products."""
    return generate_sales(40, 480, start="2024-09-01", seed=7, country="KE", new_share=0)
