"""The knobs by which a test makes a fake misbehave, the one way every family of fakes has them:
an outage for the next calls, or answers that come late after the work is done. The app serving
a fake asks for each call it answers (``take_failure``, ``take_lateness``)."""

from __future__ import annotations

import threading


class FaultKnobs:
    """The fake provides ``_lock`` and calls ``_reset_faults`` (with the lock held) from its
    ``reset``."""

    _lock: threading.RLock
    _failures: list[int]
    _late: list[float]

    def _reset_faults(self) -> None:
        self._failures = []
        self._late = []

    def fail_next(self, count: int = 1, status: int = 500) -> None:
        """The next ``count`` calls answer ``status`` (an outage), whatever they ask, and do
        nothing."""
        with self._lock:
            self._failures.extend([status] * count)

    def answer_late(self, seconds: float, count: int = 1) -> None:
        """The next ``count`` calls do their work at once (a charge is made, a message taken,
        and recorded) but answer only ``seconds`` later: the caller's process can die in
        between, as a worker killed mid-call would. Replaces any earlier setting (``count=0``
        clears it)."""
        with self._lock:
            self._late = [seconds] * count

    def take_failure(self) -> int | None:
        with self._lock:
            return self._failures.pop(0) if self._failures else None

    def take_lateness(self) -> float:
        with self._lock:
            return self._late.pop(0) if self._late else 0.0
