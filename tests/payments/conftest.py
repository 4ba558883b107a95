"""Fixtures for the payments tests: the local provider sandbox, over real HTTP."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from tenant_apps.payments.sandbox import Sandbox, start_sandbox


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A fresh sandbox on a free port that records callbacks instead of posting them."""
    server = start_sandbox(port=0, deliver=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def silent_url() -> Iterator[str]:
    """A port that accepts connections (the kernel does, from the backlog) and never answers."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()


@pytest.fixture
def closed_url() -> str:
    """A port nobody listens on: connections are refused."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return f"http://127.0.0.1:{port}"
