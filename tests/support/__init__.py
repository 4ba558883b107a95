"""Plain helpers shared by the tests and the benchmarks: no fixtures, no test modules.

Fixtures live in ``tests/conftest.py`` (and in an app's own ``conftest.py`` when only that app's
tests use them); whatever a test module or a benchmark imports lives here (docs/testing.md).
"""
