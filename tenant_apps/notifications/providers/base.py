"""The one small interface of a provider that carries a text to a phone, and how its failures
are told apart.

Three outcomes of a failed send matter, because no provider here can deduplicate a message:

* ``retryable``: the provider surely did not take it (no connection, an outage answer): send
  again later;
* ``unknown``: it may have gone (the answer was lost): never send again;
* otherwise a final refusal (bad number, bad credentials): record it and stop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Protocol

import httpx

from saas_platform.limits import has_control_characters


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


@dataclass(frozen=True)
class DeliveryReport:
    """What a provider's delivery report says about one message."""

    provider: str
    message_id: str
    # A ``DeliveryStatus`` value, or "" for a status of the provider's we do not track (ignored).
    status: str
    raw_status: str
    error: str = ""  # why it was not delivered (failed only)
    at: datetime | None = None  # the provider's time of the event, where it says one


# A provider's message id, as we stored it: printable ASCII, no spaces (``ATXid_…``,
# ``wamid.HBgM…=``). Anything else names no message of ours, and a NUL would be a 500 in a query.
_MESSAGE_ID = re.compile(r"[\x21-\x7e]{1,200}")


def message_id_valid(value: object) -> bool:
    return isinstance(value, str) and bool(_MESSAGE_ID.fullmatch(value))


def report_text(value: object, *, limit: int = 200) -> str:
    """A provider's free text (a failure reason) as it may be stored: no control characters,
    at most ``limit`` characters."""
    text = " ".join(str(value or "").split())
    if has_control_characters(text):
        text = "".join(c for c in text if not has_control_characters(c))
    return text[:limit]


class TextProvider(Protocol):
    name: ClassVar[str]  # the provider, as the notification log names it

    def send(self, *, to: str, text: str) -> SendResult:
        """Sends ``text`` to ``to`` (E.164); raises ``ProviderError``."""
        ...


@dataclass(kw_only=True)
class HttpTextProvider:
    """A text provider reached over HTTP: the platform configures its base URL and how long a
    call may take. Each provider adds its account's fields and its ``send``."""

    base_url: str
    timeout: float

    def __post_init__(self) -> None:
        # Paths are joined to it with "/": a configured trailing slash would double it.
        self.base_url = self.base_url.rstrip("/")


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


def unreadable_answer(provider: str) -> ProviderError:
    """The error for a 2xx answer we cannot read: the provider took the request, so the message
    may well have gone (``unknown``: never send it again)."""
    return ProviderError(
        f"{provider} answered 2xx with a body we cannot read.", code="bad_answer", unknown=True
    )


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
