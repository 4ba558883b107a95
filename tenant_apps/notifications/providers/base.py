"""The one small interface of a provider that carries a text to a phone, and how its failures
are told apart.

Three outcomes of a failed send matter, because no provider here can deduplicate a message:

* ``retryable``: the provider surely did not take it (no connection, an outage answer): send
  again later;
* ``unknown``: it may have gone (the answer was lost): never send again;
* otherwise a final refusal (bad number, bad credentials): record it and stop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import httpx


class ProviderError(Exception):
    def __init__(
        self, message: str, *, code: str, retryable: bool = False, unknown: bool = False
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.retryable = retryable
        self.unknown = unknown


@dataclass(frozen=True)
class SendResult:
    provider: str
    message_id: str


class TextProvider(Protocol):
    name: str

    def send(self, *, to: str, text: str) -> SendResult:
        """Sends ``text`` to ``to`` (E.164); raises ``ProviderError``."""
        ...


def post(
    provider: str,
    url: str,
    *,
    timeout: float,
    headers: dict[str, str],
    data: dict[str, str] | None = None,
    json_body: object = None,
) -> httpx.Response:
    """One POST to a platform-configured provider URL. Redirects are not followed and the
    environment's proxies are not used; a connection never made is retryable, an answer lost
    after the request left is ``unknown``."""
    try:
        with httpx.Client(
            trust_env=False, follow_redirects=False, timeout=httpx.Timeout(timeout, connect=5.0)
        ) as client:
            return client.post(url, headers=headers, data=data, json=json_body)
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        raise ProviderError(
            f"{provider} could not be reached.", code="unreachable", retryable=True
        ) from exc
    except httpx.HTTPError as exc:
        raise ProviderError(
            f"{provider} took the request but its answer was lost ({type(exc).__name__}).",
            code="answer_lost",
            unknown=True,
        ) from exc


def status_failure(provider: str, response: httpx.Response, detail: str) -> ProviderError:
    """The error for a non-2xx answer: 401/403 are bad credentials (the platform's to fix),
    429 and 5xx an outage (nothing was sent: try later), any other 4xx a refusal."""
    status = response.status_code
    if status in (401, 403):
        return ProviderError(
            f"{provider} refused the platform's credentials: {detail}", code="unauthorized"
        )
    if status == 429 or status >= 500:
        return ProviderError(
            f"{provider} is unavailable (HTTP {status}): {detail}",
            code=f"http_{status}",
            retryable=True,
        )
    return ProviderError(f"{provider} refused the message: {detail}", code=f"http_{status}")
