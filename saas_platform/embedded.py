"""Stops or lists the embedded development servers: ``python -m saas_platform.embedded stop``.

The embedded PostgreSQL and Redis (``.data/``) outlive the commands that start them, so that
every process of a development session shares them; this is how they are stopped (``make stop``,
and ``make run`` when it ends). Servers named by ``DATABASE_URL`` / ``REDIS_URL`` are never
touched: they are not ours.
"""

from __future__ import annotations

import sys
from pathlib import Path

from saas_platform.embedded_db import stop_embedded_database
from saas_platform.embedded_redis import stop_embedded_redis

BASE_DIR = Path(__file__).resolve().parent.parent


def stop(base_dir: Path = BASE_DIR) -> list[str]:
    stopped = []
    if stop_embedded_redis(base_dir):
        stopped.append("Redis")
    if stop_embedded_database(base_dir):
        stopped.append("PostgreSQL")
    return stopped


def main(argv: list[str]) -> int:
    if argv != ["stop"]:
        print("usage: python -m saas_platform.embedded stop", file=sys.stderr)
        return 2
    stopped = stop()
    where = BASE_DIR / ".data"
    if stopped:
        print(f"Stopped the embedded {' and '.join(stopped)} under {where}.")
    else:
        print(f"No embedded server was running under {where}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
