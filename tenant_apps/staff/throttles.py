"""Per-API-key rate limit: a fixed one-minute window counted atomically in the cache."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from saas_platform.counters import count_up
from tenant_apps.staff.authentication import is_api_key_request
from tenant_apps.staff.models import ApiKey

WINDOW_SECONDS = 60


class ApiKeyRateThrottle(BaseThrottle):
    def __init__(self) -> None:
        self._wait: float | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        if not is_api_key_request(request):
            return True
        key: ApiKey = request.auth  # type: ignore[assignment]
        limit = key.rate_limit_per_minute or settings.API_KEY_RATE_LIMIT_PER_MINUTE
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        counter = f"api-key-rate:{key.pk}:{window}"
        if count_up(counter, WINDOW_SECONDS * 2) <= limit:
            return True
        self._wait = (window + 1) * WINDOW_SECONDS - now
        return False

    def wait(self) -> float | None:
        return self._wait
