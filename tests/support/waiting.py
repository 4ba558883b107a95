"""Waiting for something another thread or process does: poll the condition, never sleep a
fixed time (a fixed sleep is too short on a loaded machine and too long everywhere else)."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(condition: Callable[[], bool], *, timeout: float = 60, every: float = 0.05) -> bool:
    """Checks ``condition`` until it holds or ``timeout`` seconds pass; returns its last answer,
    so ``assert wait_until(...)`` fails when it never came true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()
