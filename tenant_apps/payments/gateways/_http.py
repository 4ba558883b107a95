"""What every adapter needs from HTTP: the one way out to a provider (``send``, held to the
allowed destinations of ``destinations.py``), one timeout policy, transport failures as
GatewayError, and bearer tokens cached per credential set."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
from django.core.cache import cache

from tenant_apps.payments.gateways import destinations
from tenant_apps.payments.gateways.base import (
    Acknowledgement,
    CallbackRejected,
    Credentials,
    GatewayError,
    plain_acknowledgement,
)

DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)
# A token is dropped this long before the provider says it expires, so that a request never
# leaves with a token that dies on the way.
TOKEN_MARGIN_SECONDS = 60


def make_timeout(timeout: httpx.Timeout | float | None) -> httpx.Timeout:
    if timeout is None:
        return DEFAULT_TIMEOUT
    if isinstance(timeout, httpx.Timeout):
        return timeout
    return httpx.Timeout(timeout)


def send(
    method: str,
    url: str,
    *,
    provider: str,
    timeout: httpx.Timeout,
    headers: dict[str, str] | None = None,
    json_body: Any = None,
    auth: tuple[str, str] | None = None,
    params: dict[str, str] | None = None,
) -> httpx.Response:
    """One request to ``provider``; every adapter's calls go through here.

    A destination that is not allowed raises ``DestinationRefused`` (not retryable) before
    anything is sent. Redirects are not followed: a 3xx comes back as an answer, so a provider
    (or whoever answers in its name) cannot send us on to another address. A network failure is
    retryable because nothing says the provider acted.
    """
    destinations.request_check(provider, url)
    try:
        with httpx.Client(
            transport=destinations.GuardedTransport(),
            trust_env=False,  # no proxy or .netrc from the environment
            follow_redirects=False,
            timeout=timeout,
        ) as client:
            return client.request(
                method, url, headers=headers, json=json_body, auth=auth, params=params
            )
    except httpx.TimeoutException as exc:
        raise GatewayError(
            f"The provider did not answer in time ({url}).", code="timeout", retryable=True
        ) from exc
    except httpx.TransportError as exc:
        raise GatewayError(
            f"The provider could not be reached ({url}).", code="unreachable", retryable=True
        ) from exc


def json_of(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError as exc:
        raise GatewayError(
            f"The provider answered HTTP {response.status_code} without JSON.",
            code=f"http_{response.status_code}",
            retryable=response.status_code >= 500,
        ) from exc
    if not isinstance(data, dict):
        raise GatewayError("The provider answered with an unexpected body.", code="bad_body")
    return data


def load_callback(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CallbackRejected("The callback body is not JSON.") from exc
    if not isinstance(data, dict):
        raise CallbackRejected("The callback body is not a JSON object.")
    return data


def callback_object(data: dict[str, Any], key: str, problem: str) -> dict[str, Any]:
    """``data[key]`` if it is a JSON object; otherwise the callback is rejected with ``problem``."""
    value = data.get(key)
    if not isinstance(value, dict):
        raise CallbackRejected(problem)
    return value


def callback_text(data: dict[str, Any], key: str, problem: str) -> str:
    """``data[key]`` if it is a non-empty string; otherwise the callback is rejected."""
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise CallbackRejected(problem)
    return value


def lower_headers(headers: dict[str, str]) -> dict[str, str]:
    return {key.lower(): value for key, value in headers.items()}


def to_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        # str() first: a JSON number arrives as float, and Decimal(float) keeps binary noise.
        return Decimal(str(value))
    except ArithmeticError:
        return None


def whole_units(amount: Decimal) -> int:
    """Providers that take whole currency units only: refuse rather than round someone's money."""
    if amount <= 0:
        raise GatewayError("The amount must be positive.", code="invalid_amount")
    if amount != amount.to_integral_value():
        raise GatewayError(
            f"This provider accepts whole amounts only; {amount} has a fraction.",
            code="fractional_amount",
        )
    return int(amount)


def token_cache_key(provider: str, base_url: str, client_id: str) -> str:
    digest = hashlib.sha256(f"{base_url.rstrip('/')}{client_id}".encode()).hexdigest()
    return f"payments:token:{provider}:{digest}"


def cached_token(key: str, fetch: Callable[[], tuple[str, int]]) -> str:
    """The cached token for ``key``, else a fresh one from ``fetch`` -> (token, expires_in)."""
    token = cache.get(key)
    if isinstance(token, str) and token:
        return token
    token, expires_in = fetch()
    lifetime = expires_in - TOKEN_MARGIN_SECONDS
    if lifetime > 0:
        cache.set(key, token, timeout=lifetime)
    return token


def forget_token(key: str) -> None:
    cache.delete(key)


def send_with_token(
    key: str,
    fetch: Callable[[], tuple[str, int]],
    request: Callable[[str], httpx.Response],
    *,
    refused: Callable[[httpx.Response], bool],
) -> httpx.Response:
    """Sends ``request`` with the cached token for ``key``; a token the provider has dropped
    (``refused``: another process fetched a newer one, say) is replaced once."""
    response = request(cached_token(key, fetch))
    if refused(response):
        forget_token(key)
        response = request(cached_token(key, fetch))
    return response


def expires_in_seconds(value: Any, default: int = 3599) -> int:
    # Daraja and Airtel send expires_in as a string, others as a number.
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return default


def obj(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one: provider bodies nest optionally."""
    return value if isinstance(value, dict) else {}


class HttpGateway:
    """What the adapters that speak HTTP share: the timeout, URLs under the account's base URL,
    required credential values and the plain acknowledgement (overridden where a provider reads
    the body)."""

    name: str
    label: str  # the provider as messages name it
    client_key = ""  # the credential naming the OAuth client, for providers that issue tokens

    def __init__(self, *, timeout: httpx.Timeout | float | None = None) -> None:
        self.timeout = make_timeout(timeout)

    @staticmethod
    def _url(creds: Credentials, path: str) -> str:
        return creds.base_url.rstrip("/") + path

    def _value(self, creds: Credentials, key: str) -> str:
        value = creds.values.get(key, "")
        if not value:
            raise GatewayError(
                f"The {self.label} credential {key!r} is missing.", code="missing_credential"
            )
        return value

    def _token_key(self, creds: Credentials) -> str:
        return token_cache_key(self.name, creds.base_url, self._value(creds, self.client_key))

    def acknowledgement(self, ack: Acknowledgement) -> dict[str, Any]:
        return plain_acknowledgement(ack)
