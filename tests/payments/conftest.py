"""Fixtures for the payments tests: the local provider sandbox, over real HTTP."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from devtools.payments_sandbox import Sandbox, start_sandbox
from shared_apps.tenants.models import Tenant
from tests.payments.app_support import (
    Recorder,
    install_accounts,
    platform_allows,
    recorder_registered,
    scratch_task_queue,
)


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    """A fresh sandbox on a free port that records callbacks instead of posting them.

    This process trusts it (it registers itself); a Celery worker the test starts afterwards is
    another process, so the sandbox goes on the platform owner's list in the environment the
    worker inherits, as an operator would configure it."""
    server = start_sandbox(port=0, deliver=False)
    allowed = [os.environ.get("PAYMENT_EXTRA_ALLOWED_HOSTS", ""), f"127.0.0.1:{server.port}"]
    monkeypatch.setenv("PAYMENT_EXTRA_ALLOWED_HOSTS", ",".join(filter(None, allowed)))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def silent_url(settings: Any) -> Iterator[str]:
    """A port that accepts connections (the kernel does, from the backlog) and never answers;
    on the platform's list, like a provider that hangs."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    platform_allows(settings, f"127.0.0.1:{listener.getsockname()[1]}")
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()


@pytest.fixture
def closed_url(settings: Any) -> str:
    """A port nobody listens on (connections are refused), on the platform's list, like a
    provider that is down."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    platform_allows(settings, f"127.0.0.1:{port}")
    return f"http://127.0.0.1:{port}"


@pytest.fixture(autouse=True)
def _own_task_queue() -> Iterator[None]:
    with scratch_task_queue():
        yield


@pytest.fixture
def recorder() -> Recorder:
    """A consumer of payment outcomes, registered for the purpose ``test``."""
    return recorder_registered()


@pytest.fixture
def shop(business: Tenant, sandbox: Sandbox) -> Tenant:
    """The business, with an account of every provider on the sandbox."""
    install_accounts(business, sandbox)
    return business
