"""The sandbox itself: delivery of callbacks, C2B validation, control endpoints."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import httpx
import pytest

from devtools.payments_sandbox import Sandbox, start_sandbox
from tenant_apps.payments.gateways.base import InitiateRequest, Outcome
from tenant_apps.payments.gateways.mpesa import DarajaGateway
from tests.support.waiting import wait_until


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class Receiver:
    """A merchant endpoint: records what it receives, answers validation as told."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        self.validation_answer: dict[str, Any] = {"ResultCode": "0", "ResultDesc": "Accepted"}
        self.server = make_server("127.0.0.1", 0, self, handler_class=_Quiet)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        headers = {
            k[5:].lower().replace("_", "-"): v for k, v in environ.items() if k.startswith("HTTP_")
        }
        self.received.append((environ["PATH_INFO"], headers, environ["wsgi.input"].read(length)))
        answer = self.validation_answer if environ["PATH_INFO"] == "/validate" else {"ok": True}
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(answer).encode()]

    def wait_for(self, count: int) -> None:
        wait_until(lambda: len(self.received) >= count, timeout=5, every=0.02)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def live_sandbox() -> Iterator[Sandbox]:
    server = start_sandbox(deliver=True, callback_delay=0.05)
    yield server
    server.stop()


def test_callbacks_are_posted_after_the_delay(live_sandbox, receiver):
    creds = live_sandbox.credentials("mpesa")
    gateway = DarajaGateway()
    pushed = gateway.initiate(
        creds,
        InitiateRequest(
            reference="r1",
            amount=Decimal("10"),
            currency="KES",
            callback_url=f"{receiver.url}/cb/secret-token",
            payer="254712345670",
        ),
    )

    receiver.wait_for(1)

    [(path, headers, body)] = receiver.received
    assert path == "/cb/secret-token" and headers.get("user-agent")
    parsed = gateway.parse_callback(creds, body, headers)
    assert (parsed.outcome, parsed.provider_reference) == (
        Outcome.SUCCEEDED,
        pushed.provider_reference,
    )
    wait_until(lambda: live_sandbox.callbacks()[0]["status"] == "delivered", timeout=5, every=0.02)
    assert live_sandbox.callbacks()[0]["response_status"] == 200


def test_c2b_validation_can_refuse_the_payment(live_sandbox, receiver):
    gateway = DarajaGateway()
    creds = live_sandbox.credentials("mpesa")
    gateway.register_c2b_urls(creds, f"{receiver.url}/confirm", f"{receiver.url}/validate")
    receiver.validation_answer = {"ResultCode": "C2B00012", "ResultDesc": "Rejected"}

    refused = live_sandbox.simulate_c2b(amount=Decimal("300"), bill_ref="NOPE")
    receiver.validation_answer = {"ResultCode": "0", "ResultDesc": "Accepted"}
    accepted = live_sandbox.simulate_c2b(amount=Decimal("300"), bill_ref="INV-7")

    assert refused["accepted"] is False and "confirmation" not in refused
    assert accepted["accepted"] is True
    paths = [path for path, _headers, _body in receiver.received]
    assert paths == ["/validate", "/validate", "/confirm"]
    assert DarajaGateway.parse_c2b(receiver.received[-1][2]).bill_ref == "INV-7"


def test_control_endpoints(sandbox):
    credentials = httpx.get(f"{sandbox.url}/__sandbox__/credentials").json()
    assert credentials["mpesa"]["base_url"] == sandbox.url
    assert "BEGIN CERTIFICATE" in credentials["mpesa"]["values"]["certificate_pem"]

    httpx.get(f"{sandbox.url}/oauth/v1/generate", params={"grant_type": "client_credentials"})
    assert len(httpx.get(f"{sandbox.url}/__sandbox__/requests").json()["requests"]) == 1
    assert (
        httpx.post(
            f"{sandbox.url}/__sandbox__/scenario", json={"payer": "2547", "scenario": 42}
        ).status_code
        == 400
    )

    assert httpx.post(f"{sandbox.url}/__sandbox__/reset").status_code == 200
    assert sandbox.requests() == []
    assert httpx.get(f"{sandbox.url}/__sandbox__/callbacks").json() == {"callbacks": []}
    assert httpx.get(f"{sandbox.url}/nowhere").status_code == 404


def test_a_stale_bearer_token_is_refused_like_daraja(sandbox):
    creds = sandbox.credentials("mpesa").values
    auth = (creds["consumer_key"], creds["consumer_secret"])
    url = f"{sandbox.url}/oauth/v1/generate"
    old = httpx.get(url, params={"grant_type": "client_credentials"}, auth=auth).json()
    httpx.get(url, params={"grant_type": "client_credentials"}, auth=auth)

    answer = httpx.post(
        f"{sandbox.url}/mpesa/stkpushquery/v1/query",
        json={},
        headers={"Authorization": f"Bearer {old['access_token']}"},
    )

    assert answer.status_code == 404 and answer.json()["errorCode"] == "404.001.03"
