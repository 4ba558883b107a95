"""Embedded PostgreSQL for development: nothing to install but Python.

When ``DATABASE_URL`` is unset, the settings ask this module for a connection. The server lives
under ``.data/postgres`` and is left running when the process exits, so ``manage.py`` commands,
the autoreloader's child process and test runs all attach to the same instance instead of each
starting their own; ``python -m saas_platform.embedded stop`` (``make stop``) stops it.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

DATABASE_NAME = "duka"


def embedded_database_config(base_dir: Path) -> dict[str, Any]:
    data_dir = base_dir / ".data"
    data_dir.mkdir(exist_ok=True)
    # pgserver falls back to /tmp/runtime-<uid> when XDG_RUNTIME_DIR is unset, with a warning
    # that our test run (warnings are errors) would trip over.
    runtime_dir = data_dir / "run"
    runtime_dir.mkdir(mode=0o700, exist_ok=True)
    if not os.environ.get("XDG_RUNTIME_DIR"):
        os.environ["XDG_RUNTIME_DIR"] = str(runtime_dir)
    import pgserver  # imported lazily: production never loads it

    server = pgserver.get_server(data_dir / "postgres", cleanup_mode=None)
    exists = server.psql("SELECT 1 FROM pg_database WHERE datname = 'duka';")
    if "(1 row)" not in exists:
        server.psql("CREATE DATABASE duka;")
    return {
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        # pgserver listens on a Unix socket only, so no port can clash with a local PostgreSQL.
        "HOST": str(server.get_postmaster_info().socket_dir),
        "PORT": "",
    }


def stop_embedded_database(base_dir: Path, *, timeout: float = 30.0) -> bool:
    """Stops the embedded server if it runs; True when there was one to stop.

    SIGINT is PostgreSQL's "fast shutdown": open sessions are ended, data is safe.
    """
    pid_file = base_dir / ".data" / "postgres" / "postmaster.pid"
    try:
        pid = int(pid_file.read_text().splitlines()[0])
        os.kill(pid, signal.SIGINT)
    except (OSError, ValueError, IndexError):
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    raise RuntimeError(f"the embedded PostgreSQL (pid {pid}) did not stop in {timeout:.0f} s")
