"""Helpers the benchmarks share: a scratch database, figures, bulk catalog data.

A benchmark runs as ``python bench/<name>.py`` (``make bench``), so ``bench/`` is first on its
import path and this package is ``lib``. What tests and benchmarks both need (signup data, for
one) lives in ``tests/support``, never in a test module."""
