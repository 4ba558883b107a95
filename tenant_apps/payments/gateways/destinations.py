"""Where the server may send a request on a business's behalf, and the connections that hold
every request to that.

A business chooses its provider account's base URL. Left open, that is a server-side request
forgery: anyone who signs up could make the server call an address of their choosing inside our
network (with the account's credentials), and read from the outcome whether a port is open.
So a request leaves only for:

* the hosts each provider documents (``PROVIDER_HOSTS``), over https on port 443; or
* the platform owner's own list: ``PAYMENT_EXTRA_ALLOWED_HOSTS`` (``host`` or ``host:port``),
  the host and port of ``PAYMENT_SANDBOX_URL``, and a sandbox this very process started
  (tests). A business's settings never add to it.

Three checks, each fail-closed:

1. ``base_url_check`` when an account is saved: the form of the URL and its host.
2. ``request_check`` for each request (``_http.send``): the same, on the full URL.
3. ``GuardedBackend`` for each connection: the host and port again, then the name is resolved
   and every address must be public (not private, loopback, link-local, multicast, reserved or
   unspecified) unless that exact ``host:port`` is on the platform's list. The connection goes
   to the address that was checked, so a DNS server cannot answer differently in between
   (rebinding). Redirects are never followed (``_http.send``), so a provider cannot send us on.

A refused request never reaches the network, so its outcome (``destination_refused``) is the
same whether anything listens at the address or not.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import ssl
import threading
import typing
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpcore
import httpx
from django.conf import settings

from tenant_apps.payments.gateways.base import GatewayError

# From the providers' own documentation (see docs/payments-sandbox.md); https, port 443 only.
PROVIDER_HOSTS: dict[str, frozenset[str]] = {
    "mpesa": frozenset({"sandbox.safaricom.co.ke", "api.safaricom.co.ke"}),
    "airtel": frozenset({"openapiuat.airtel.africa", "openapi.airtel.africa"}),
    # The card adapter speaks Flutterwave Standard v3; test and live keys use the same host.
    "card": frozenset({"api.flutterwave.com"}),
    # UPI through Razorpay; test and live keys use the same host.
    "upi": frozenset({"api.razorpay.com"}),
}
DEFAULT_PORTS = {"https": 443, "http": 80}
REFUSED = "destination_refused"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class DestinationRefused(GatewayError):
    """The server will not call this address. Raised before any connection is made."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code=REFUSED, retryable=False)


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # lower case, no trailing dot, IPv6 without brackets
    port: int

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"


def _host(text: str) -> str:
    return text.strip().lower().rstrip(".")


def target_of(url: str) -> Target:
    """The scheme, host and port ``url`` would connect to, read with httpx's own parser (the
    one that sends the request, so the two cannot read the URL differently)."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise DestinationRefused("This is not a valid URL.") from None
    if parsed.scheme not in DEFAULT_PORTS:
        raise DestinationRefused("Only http and https URLs are called.")
    if parsed.userinfo:
        raise DestinationRefused("A URL with a user name or password in it is not called.")
    host = _host(parsed.host)
    if not host:
        raise DestinationRefused("The URL has no host.")
    port = parsed.port or DEFAULT_PORTS[parsed.scheme]
    if not 0 < port < 65536:
        raise DestinationRefused("The URL's port is out of range.")
    return Target(parsed.scheme, host, port)


# --- the platform owner's list ------------------------------------------------------------------

_sandboxes: set[tuple[str, int]] = set()
_sandboxes_lock = threading.Lock()


def sandbox_trust(url: str) -> None:
    """A provider sandbox this process has just started (tests, ``make run``'s seeding): the
    platform's own, like ``PAYMENT_SANDBOX_URL``. Only code can call this, never a request."""
    target = target_of(url)
    with _sandboxes_lock:
        _sandboxes.add((target.host, target.port))


def sandbox_forget(url: str) -> None:
    target = target_of(url)
    with _sandboxes_lock:
        _sandboxes.discard((target.host, target.port))


@dataclass(frozen=True)
class PlatformList:
    exact: frozenset[tuple[str, int]]  # host:port, trusted even at a private address
    hosts: frozenset[str]  # a bare host: its default ports, public addresses only


def _entry(text: str) -> tuple[str, int | None] | None:
    text = text.strip()
    if not text:
        return None
    try:
        parts = urlsplit(text if "//" in text else f"//{text}")
        port = parts.port
    except ValueError:
        return None  # a malformed entry allows nothing
    host = _host(parts.hostname or "")
    return (host, port) if host else None


def platform_list() -> PlatformList:
    exact: set[tuple[str, int]] = set()
    hosts: set[str] = set()
    entries = list(getattr(settings, "PAYMENT_EXTRA_ALLOWED_HOSTS", []) or [])
    sandbox_url = str(getattr(settings, "PAYMENT_SANDBOX_URL", "") or "")
    for text in entries:
        entry = _entry(str(text))
        if entry is None:
            continue
        host, port = entry
        if port is None:
            hosts.add(host)
        else:
            exact.add((host, port))
    if sandbox_url:
        try:
            target = target_of(sandbox_url)
        except DestinationRefused:
            pass
        else:
            exact.add((target.host, target.port))
    with _sandboxes_lock:
        exact |= _sandboxes
    return PlatformList(frozenset(exact), frozenset(hosts))


# --- the checks ---------------------------------------------------------------------------------


def _refusal(provider: str | None, scheme: str | None, host: str, port: int) -> str:
    """Why ``host:port`` may not be called ("" when it may). ``provider`` None: any provider's
    documented host will do (the connection-level check, which does not know the provider);
    ``scheme`` None likewise."""
    platform = platform_list()
    if (host, port) in platform.exact:
        return ""
    if host in platform.hosts and port in DEFAULT_PORTS.values():
        return ""
    if provider is None:
        documented = frozenset().union(*PROVIDER_HOSTS.values())
    else:
        documented = PROVIDER_HOSTS.get(provider, frozenset())
    if host in documented:
        if scheme not in (None, "https"):
            return "https_required"
        if port != DEFAULT_PORTS["https"]:
            return "port_not_allowed"
        return ""
    return "host_not_allowed"


MESSAGES = {
    "https_required": "Provider APIs are called over https only.",
    "port_not_allowed": "Provider APIs are called on port 443 only.",
    "host_not_allowed": "The server calls only the provider's documented API hosts.",
}


def _allowed_hosts_text(provider: str) -> str:
    return ", ".join(f"https://{host}" for host in sorted(PROVIDER_HOSTS.get(provider, ())))


def request_check(provider: str, url: str) -> Target:
    """Refuses a request to anything but ``provider``'s hosts or the platform's list."""
    target = target_of(url)
    reason = _refusal(provider, target.scheme, target.host, target.port)
    if reason:
        raise DestinationRefused(f"Refused to call {target}: {MESSAGES[reason]}")
    return target


def base_url_check(provider: str, url: str) -> tuple[str, str]:
    """("", "") when ``url`` may be a base URL of ``provider``; else (code, message) for the
    field. A base URL is also refused with a query or fragment: paths are appended to it."""
    try:
        target = target_of(url)
        parsed = httpx.URL(url)
    except DestinationRefused as refused:
        return "invalid_url", str(refused)
    if parsed.query or parsed.fragment:
        return "invalid_url", "A base URL has no query string or fragment."
    reason = _refusal(provider, target.scheme, target.host, target.port)
    if not reason:
        return "", ""
    choices = _allowed_hosts_text(provider)
    return reason, f"{MESSAGES[reason]} Use {choices or 'a documented host'}."


NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def address_is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        # An IPv4 address carried in IPv6 (::ffff:127.0.0.1, 6to4, Teredo, a NAT64 gateway's
        # prefix) is judged as the IPv4 address it reaches.
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return address_is_public(embedded)
        if address.teredo is not None:
            return all(address_is_public(part) for part in address.teredo)
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def connectable_addresses(host: str, port: int) -> list[str]:
    """The addresses a connection to ``host:port`` may go to, in resolver order. Refuses the
    host itself, or any address that is not public (one bad answer refuses them all: a resolver
    that mixes them is not to be trusted), unless the exact host:port is the platform's own."""
    host = _host(host)
    reason = _refusal(None, None, host, port)
    if reason:
        raise DestinationRefused(
            f"Refused to connect to {host}:{port}: {MESSAGES.get(reason, reason)}"
        )
    trusted = (host, port) in platform_list().exact
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise httpcore.ConnectError(f"Could not resolve {host}.") from exc
    addresses: list[str] = []
    for info in infos:
        text = str(info[4][0]).split("%", 1)[0]  # an IPv6 scope id is not part of the address
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            raise DestinationRefused(f"{host} resolves to something that is not an IP.") from None
        if not trusted and not address_is_public(address):
            raise DestinationRefused(
                f"Refused to connect to {host}:{port}: it resolves to a private, loopback, "
                "link-local or reserved address."
            )
        if text not in addresses:
            addresses.append(text)
    if not addresses:
        raise httpcore.ConnectError(f"Could not resolve {host}.")
    return addresses


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's own sockets, opened only to addresses ``connectable_addresses`` approved.

    httpcore still starts TLS with the URL's host name (SNI and certificate checks are those of
    the provider, not of the IP we connect to)."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        options = list(socket_options or [])
        *others, final = connectable_addresses(host, port)  # at least one
        for address in others:
            try:
                return super().connect_tcp(address, port, timeout, local_address, options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout):
                continue  # like socket.create_connection: try the next address
        return super().connect_tcp(final, port, timeout, local_address, options)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise DestinationRefused("Unix sockets are not called.")


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The one certificate-verifying TLS context of every outbound call. Building one reads the
    whole CA bundle (about 25 ms of CPU); a transport built its own twice for each request."""
    return httpx.create_ssl_context(trust_env=False)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport with its connection pool on ``GuardedBackend``, no proxies."""

    def __init__(self) -> None:
        super().__init__(verify=tls_context(), trust_env=False)
        # HTTPTransport takes no network backend, so its pool is rebuilt with ours. If a later
        # httpx renames the attribute, the refusal tests fail (they listen for a connection).
        if not isinstance(getattr(self, "_pool", None), httpcore.ConnectionPool):
            raise RuntimeError("httpx.HTTPTransport no longer keeps a ConnectionPool in _pool.")
        self._pool = httpcore.ConnectionPool(
            ssl_context=tls_context(),
            network_backend=GuardedBackend(),
        )
