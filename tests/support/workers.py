"""Real Celery workers for tests: a process of its own, on a queue of its own, against the test
database and whichever broker the settings name (the machine's Redis, or the embedded one)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def start_worker(queue: str, **env: str) -> subprocess.Popen[bytes]:
    """A worker (solo pool: the process that runs the task is the one a test may kill) taking
    tasks from ``queue`` only; ``env`` adds settings for it (e.g. where the gateway fakes are)."""
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "saas_platform", "worker", "--pool=solo",
         "-Q", queue, "--without-heartbeat", "--without-gossip", "--without-mingle",
         "-l", "warning"],
        cwd=ROOT,
        env={
            **os.environ,
            "DEBUG": "true",
            "DATABASE_NAME_OVERRIDE": connection.settings_dict["NAME"],
            "TENANT_SCHEMA_POOL_SIZE": "2",
            **env,
        },
    )  # fmt: skip


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    """Warm shutdown (SIGTERM): the task in hand finishes first."""
    if worker.poll() is None:
        worker.terminate()
    worker.wait(timeout=30)
