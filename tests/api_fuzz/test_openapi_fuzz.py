"""Schemathesis against both hosts' OpenAPI documents: the root domain and a business host, as
an anonymous visitor, a platform owner, a business's owner and its cashier.

Every answer must be documented (status code and body shape), and no input — valid or not — may
be a server error. Run alone with ``pytest -m fuzz``; set ``DUKA_FUZZ_RECORD=<file>`` to append
each failure (request, answer, server traceback) to a JSON-lines file.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
import schemathesis
from django.db import DatabaseError, IntegrityError, connection, transaction
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api_fuzz.conftest import FuzzTarget, NetworkAttempts, ServerErrors

pytestmark = pytest.mark.fuzz

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    # An error must be the JSON shape even where the success is CSV or a PDF.
    content_type_conformance,
]

# Operations that are not fuzzed, by operationId, each with its reason. Only those that call an
# outside service from inside the request; anything else that tries is caught by `no_network`.
EXCLUDED = {
    # Asks the payment provider (Daraja, Airtel, the card gateway, Razorpay) where a payment
    # stands, over the network, while the request waits.
    "v1_payments_query_create": "calls the payment provider",
    # Starts a payment-method setup at the business's billing gateway (Stripe or Paystack),
    # over the network, while the request waits.
    "billing_payment_method_setup": "calls the billing gateway",
}

schema = schemathesis.pytest.from_fixture("fuzz_schema").exclude(operation_id=list(EXCLUDED))


def _end_savepoint(savepoint: str) -> str | None:
    """Keeps what the request wrote unless it left the transaction broken; returns why not.

    A query that fails outside any atomic block of the view (a 500) aborts the test's whole
    transaction; rolling back to the request's savepoint lets the next request run. Foreign keys
    are checked at commit, which the test's transaction never reaches: they are checked here, as
    a commit would. Outside a test such a request fails at its commit, with a 500 or with
    whatever error its transaction block makes of the IntegrityError — a wrong answer either way.
    """
    if connection.needs_rollback:
        transaction.savepoint_rollback(savepoint)
        transaction.set_rollback(False)
        return None
    try:
        connection.check_constraints()
    except IntegrityError as exc:
        transaction.savepoint_rollback(savepoint)
        return f"it wrote a row that its commit would refuse: {exc}"
    except DatabaseError:
        transaction.savepoint_rollback(savepoint)
        return None
    transaction.savepoint_commit(savepoint)
    return None


def _record(
    target: FuzzTarget, case: Any, response: Any, exc: BaseException, tracebacks: list[str]
) -> None:
    path = os.environ.get("DUKA_FUZZ_RECORD")
    if not path:
        return
    request = response.request
    body = request.body
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    failures = exc.exceptions if isinstance(exc, FailureGroup) else [exc]
    entry = {
        "target": target.name,
        "operation": case.operation.label,
        "operation_id": case.operation.definition.raw.get("operationId"),
        "failures": [
            {
                "check": next(iter(getattr(failure, "checks", ())), "harness"),
                "title": getattr(failure, "title", type(failure).__name__),
                "message": str(getattr(failure, "message", failure))[:800],
            }
            for failure in failures
        ],
        "method": request.method,
        "url": request.url,
        "body": (body or "")[:2000],
        "status": response.status_code,
        "response": response.content[:1500].decode("utf-8", "replace"),
        "tracebacks": tracebacks,
    }
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(entry) + "\n")


@schema.parametrize()
def test_every_answer_is_documented_and_no_input_is_a_server_error(
    case: schemathesis.Case,
    fuzz_target: FuzzTarget,
    server_errors: ServerErrors,
    no_network: NetworkAttempts,
) -> None:
    server_errors.seen.clear()
    no_network.seen.clear()
    savepoint = transaction.savepoint()
    broken_commit = None
    try:
        response = case.call(
            base_url=fuzz_target.base_url,
            headers=fuzz_target.headers,
            # As cookies, not a header: the WSGI client sets the Cookie header from its own jar.
            cookies=fuzz_target.cookies,
        )
    finally:
        broken_commit = _end_savepoint(savepoint)
    try:
        assert broken_commit is None, f"{case.operation.label}: {broken_commit}"
        assert not no_network.seen, (
            f"{case.operation.label} reached for the network ({no_network.seen}): exclude it by "
            "operationId with the reason, or point it at a local fake"
        )
        case.validate_response(
            response,
            checks=CHECKS,
            headers=fuzz_target.headers,
            transport_kwargs={"base_url": fuzz_target.base_url, "headers": fuzz_target.headers},
        )
    except (AssertionError, FailureGroup) as exc:
        for trace in server_errors.seen:
            exc.add_note(f"Server traceback:\n{trace}")
        _record(fuzz_target, case, response, exc, server_errors.seen)
        raise
