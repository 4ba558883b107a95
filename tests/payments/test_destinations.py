"""Server-side request forgery, from the attacker's side: a business owner tries to make the
server call an address of their choosing through a provider account's base URL.

Each test that could reach a socket listens on one and asserts that nothing connected to it."""

from __future__ import annotations

import ipaddress
import select
import socket
import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import httpx
import pytest
from django.test import Client
from django_tenants.utils import schema_context
from moneyed import Money

from saas_platform.errors import ValidationFailed
from shared_apps.tenants.models import Tenant
from tenant_apps.payments.gateways.airtel import AirtelGateway
from tenant_apps.payments.gateways.base import Credentials, GatewayError
from tenant_apps.payments.gateways.card import HostedCardGateway
from tenant_apps.payments.gateways.destinations import (
    DestinationRefused,
    address_is_public,
    connectable_addresses,
)
from tenant_apps.payments.gateways.mpesa import DarajaGateway
from tenant_apps.payments.gateways.upi import UpiGateway
from tenant_apps.payments.models import Payment, ProviderAccount
from tenant_apps.payments.services.accounts import provider_account_set
from tenant_apps.payments.services.lifecycle import payment_create
from tests.payments.app_support import (
    PURPOSE,
    Recorder,
    load,
    platform_allows,
    push_request,
)
from tests.support.urls import tenant_path

PUT = tenant_path("payments:provider-detail", provider="mpesa")


class Listener:
    """A local port with a listener: the kernel completes any connection to it, so a test can
    tell whether the server connected at all."""

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.port = int(self.socket.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"

    def was_contacted(self, wait: float = 0.3) -> bool:
        readable, _, _ = select.select([self.socket], [], [], wait)
        return bool(readable)

    def close(self) -> None:
        self.socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    opened = Listener()
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def owner(shop: Tenant, jwt_client: Callable[[Tenant, str], Client]) -> Client:
    return jwt_client(shop, shop.owner_email)


def _stored(shop: Tenant) -> tuple[str, dict[str, Any]]:
    with schema_context(shop.schema_name):
        account = ProviderAccount.objects.get(provider="mpesa")
        return account.base_url, dict(account.credentials)


# --- saving an account --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "code"),
    [
        ("http://127.0.0.1:{port}/", "host_not_allowed"),
        ("http://169.254.169.254/", "host_not_allowed"),
        ("http://169.254.169.254/latest/meta-data/iam/", "host_not_allowed"),
        ("http://10.0.0.1/", "host_not_allowed"),
        ("http://localhost:{port}/", "host_not_allowed"),
        ("http://[::1]:{port}/", "host_not_allowed"),
        ("http://2130706433:{port}/", "invalid"),  # 127.0.0.1 as one number (not a URL to DRF)
        ("http://0x7f.1:{port}/", "invalid"),
        ("https://api.razorpay.com", "host_not_allowed"),  # another provider's host
        ("https://sandbox.safaricom.co.ke.evil.example", "host_not_allowed"),
        ("http://sandbox.safaricom.co.ke", "https_required"),
        ("https://sandbox.safaricom.co.ke:{port}", "port_not_allowed"),
        ("https://user:pw@sandbox.safaricom.co.ke", "invalid_url"),
        ("https://sandbox.safaricom.co.ke/?next=http://10.0.0.1", "invalid_url"),
    ],
)
def test_an_owner_cannot_point_an_account_at_an_address_of_their_choosing(
    shop: Tenant, owner: Client, listener: Listener, target: str, code: str
) -> None:
    before = _stored(shop)
    url = target.format(port=listener.port)

    response = owner.put(
        PUT,
        {"base_url": url, "credentials": {"consumer_key": "stolen"}, "is_active": True},
        content_type="application/json",
    )

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert [e["code"] for e in error["fields"]["base_url"]] == [code]
    assert _stored(shop) == before  # neither the URL nor the credentials sent were saved
    assert not listener.was_contacted()


def test_a_documented_host_and_the_platform_sandbox_may_be_saved(
    shop: Tenant, owner: Client, settings: Any
) -> None:
    settings.PAYMENT_SANDBOX_URL = "http://127.0.0.1:8099"
    for url in ("https://api.safaricom.co.ke", "http://127.0.0.1:8099/"):
        response = owner.put(PUT, {"base_url": url}, content_type="application/json")
        assert response.status_code == 200, response.content
        assert _stored(shop)[0] == url
    # The sandbox's host is trusted on its own port only.
    other_port = {"base_url": "http://127.0.0.1:8098/"}
    refused = owner.put(PUT, other_port, content_type="application/json")
    assert refused.status_code == 400
    assert _stored(shop)[0] == "http://127.0.0.1:8099/"


def test_the_service_refuses_too(shop: Tenant) -> None:
    """Not only the API: any caller of provider_account_set."""
    with schema_context(shop.schema_name):
        before = ProviderAccount.objects.get(provider="airtel").base_url
        with pytest.raises(ValidationFailed) as caught:
            provider_account_set(
                provider="airtel", base_url="http://169.254.169.254", credentials={}, is_active=True
            )
        assert ProviderAccount.objects.get(provider="airtel").base_url == before
    assert caught.value.fields["base_url"][0]["code"] == "host_not_allowed"


# --- calling out --------------------------------------------------------------------------------


def _create(shop: Tenant, capture: Any) -> Payment:
    with schema_context(shop.schema_name), capture(execute=True):
        payment = payment_create(
            provider="mpesa",
            amount=Money(Decimal("150"), "KES"),
            payer="0712345670",
            purpose=PURPOSE,
            purpose_ref="S-1",
        )
    return load(shop, payment)


def test_a_tampered_stored_url_is_refused_and_never_contacted(
    shop: Tenant, recorder: Recorder, listener: Listener, closed_port: int,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    """An account whose base URL was changed behind the API's back (a direct database write):
    the payment fails as refused, and an open port and a closed one look exactly alike."""
    outcomes = []
    for port in (listener.port, closed_port):
        with schema_context(shop.schema_name):
            ProviderAccount.objects.filter(provider="mpesa").update(
                base_url=f"http://127.0.0.1:{port}"
            )
        payment = _create(shop, django_capture_on_commit_callbacks)
        outcomes.append(
            (payment.status, payment.result_code,
             payment.result_message.replace(str(port), "PORT"))
        )  # fmt: skip
        assert recorder.of(payment) == ["failed"]

    assert not listener.was_contacted()
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][:2] == ("failed", "destination_refused")


@pytest.fixture
def closed_port() -> int:
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.bind(("127.0.0.1", 0))
    port = int(probe.getsockname()[1])
    probe.close()
    return port


@pytest.mark.parametrize(
    ("gateway", "values"),
    [
        (DarajaGateway(), {"consumer_key": "k", "consumer_secret": "s", "shortcode": "174379",
                           "passkey": "p"}),
        (AirtelGateway(), {"client_id": "a", "client_secret": "b", "country": "KE",
                           "currency": "KES"}),
        (HostedCardGateway(), {"secret_key": "k"}),
        (UpiGateway(), {"key_id": "a", "key_secret": "b"}),
    ],
    ids=["mpesa", "airtel", "card", "upi"],
)  # fmt: skip
def test_every_gateway_goes_through_the_check(
    gateway: Any, values: dict[str, str], listener: Listener
) -> None:
    request = push_request("someone@bank" if gateway.name == "upi" else "254712345670")
    with pytest.raises(DestinationRefused):
        gateway.initiate(Credentials(base_url=listener.url, values=values), request)
    assert not listener.was_contacted()


class _Redirect(BaseHTTPRequestHandler):
    location = ""

    def do_GET(self) -> None:
        self.send_response(302)
        self.send_header("Location", self.location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def redirecting(settings: Any) -> Iterator[Callable[[str], str]]:
    """An allowed provider (on the platform's list) that answers every request with a redirect
    to a location the test chooses."""
    servers: list[HTTPServer] = []

    def start(location: str) -> str:
        handler = type("Handler", (_Redirect,), {"location": location})
        server = HTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        port = server.server_address[1]
        platform_allows(settings, f"127.0.0.1:{port}")
        return f"http://127.0.0.1:{port}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("where", ["listener", "http://169.254.169.254/latest/meta-data/"])
def test_a_redirect_from_an_allowed_provider_is_not_followed(
    redirecting: Callable[[str], str], listener: Listener, where: str
) -> None:
    base = redirecting(f"{listener.url}/oauth" if where == "listener" else where)
    creds = Credentials(
        base_url=base,
        values={"consumer_key": "k", "consumer_secret": "s", "shortcode": "1", "passkey": "p"},
    )

    with pytest.raises(GatewayError) as caught:
        DarajaGateway(timeout=httpx.Timeout(2.0)).initiate(creds, push_request())

    assert caught.value.code == "http_302"
    assert not listener.was_contacted()


def test_a_name_on_the_list_that_resolves_to_loopback_is_refused(settings: Any) -> None:
    """The platform allows ``localhost`` by name (no port): its address is still checked, so a
    name that resolves to a private address (or is rebound to one) gets nowhere. The refusal
    comes before any connection: a connection to a closed port 80 would be ``unreachable``."""
    platform_allows(settings, "localhost")
    creds = Credentials(
        base_url="http://localhost",
        values={"consumer_key": "k", "consumer_secret": "s", "shortcode": "1", "passkey": "p"},
    )

    with pytest.raises(GatewayError) as caught:
        DarajaGateway().initiate(creds, push_request())

    assert caught.value.code == "destination_refused"
    assert "resolves to a private" in str(caught.value)
    with pytest.raises(DestinationRefused):
        connectable_addresses("localhost", 80)


def test_an_exact_host_and_port_of_the_platform_may_be_private(
    settings: Any, listener: Listener
) -> None:
    """The contrast: the platform owner's own host:port entry is connected to."""
    platform_allows(settings, f"localhost:{listener.port}")
    assert "127.0.0.1" in connectable_addresses("localhost", listener.port)
    with pytest.raises(DestinationRefused):
        connectable_addresses("localhost", 80)  # the entry names one port, not the host


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.0.0.1", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0",  # noqa: S104
     "100.64.0.1", "224.0.0.1", "240.0.0.1", "255.255.255.255", "::1", "::", "fe80::1",
     "fc00::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "2002:7f00:1::",
     "2002:a9fe:a9fe::", "64:ff9b::a9fe:a9fe"],
)  # fmt: skip
def test_private_loopback_link_local_and_reserved_addresses_are_not_public(address: str) -> None:
    assert not address_is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["196.201.214.200", "8.8.8.8", "2001:4860:4860::8888"])
def test_public_addresses_are_public(address: str) -> None:
    assert address_is_public(ipaddress.ip_address(address))
