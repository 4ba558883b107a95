"""Fixtures of the notification tests: the SMS and WhatsApp fakes served over HTTP with the
platform's settings pointed at them, and e-mail into Django's test outbox."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from devtools.notification_fakes import NotificationFakes, start_notification_fakes


@pytest.fixture(scope="session")
def _served_notification_fakes() -> Iterator[NotificationFakes]:
    fakes = start_notification_fakes(0)
    try:
        yield fakes
    finally:
        fakes.stop()


@pytest.fixture
def notification_fakes(
    _served_notification_fakes: NotificationFakes, settings: Any
) -> NotificationFakes:
    """The fakes, emptied, with the provider settings pointing at them."""
    fakes = _served_notification_fakes
    fakes.reset()
    for name, value in fakes.settings().items():
        setattr(settings, name, value)
    settings.WHATSAPP_TEMPLATE = ""
    return fakes
