"""A WSGI application served from a background thread: what the local fakes of outside
services share (payments_sandbox, billing_fakes, notification_fakes), for tests (``port=0``)
and `make run`."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from socketserver import ThreadingMixIn
from typing import Any, Protocol
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        # The fakes keep their own request log; stderr noise would drown test output.
        pass


class ThreadedServer:
    """Serves ``app`` on ``host:port`` (0: a free port) until ``stop``; ``url`` is where."""

    def __init__(self, app: Callable[..., Any], *, host: str, port: int, name: str) -> None:
        self._server = make_server(
            host, port, app, server_class=_ThreadingServer, handler_class=_QuietHandler
        )
        # A short poll keeps stop() quick.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=name,
            daemon=True,
        )
        self._thread.start()
        bound, bound_port = self._server.server_address[:2]
        bound = bound.decode() if isinstance(bound, bytes) else str(bound)
        self.port = int(bound_port)
        local = "127.0.0.1" if bound in ("0.0.0.0", "") else bound  # noqa: S104
        self.url = f"http://{local}:{self.port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def stop_on_signal() -> threading.Event:
    """An event that Ctrl-C or SIGTERM sets: what a fake run from the command line waits on
    before it stops."""
    stopped = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    return stopped


class _LoggingApp(Protocol):
    _lock: Any  # a Lock or an RLock
    requests: list[dict[str, Any]]


class ServedFakes:
    """A handle on running fakes: their URL and the log of requests the app keeps; each kind
    adds its fakes' records and knobs, and says which fakes ``reset`` resets."""

    def __init__(self, app: _LoggingApp, served: ThreadedServer) -> None:
        self.app = app
        self._served = served
        self.port = served.port
        self.url = served.url

    def requests(self, path: str | None = None) -> list[dict[str, Any]]:
        with self.app._lock:
            return [dict(r) for r in self.app.requests if path is None or r["path"] == path]

    def resettable(self) -> list[Any]:
        return []

    def reset(self) -> None:
        with self.app._lock:
            self.app.requests.clear()
        for fake in self.resettable():
            fake.reset()

    def stop(self) -> None:
        self._served.stop()
