"""The fan-out queues only tasks registered as per-business work."""

from __future__ import annotations

import pytest

from shared_apps.tenants.fan_out import fan_out


@pytest.mark.django_db
def test_a_message_naming_an_unregistered_task_is_refused() -> None:
    with pytest.raises(ValueError, match="not a per-business task"):
        fan_out.run("tenants.refill_schema_pool")
