"""Delivery reports: Africa's Talking's callback and WhatsApp's status webhook, as the fakes make
them (the exact bytes and headers, AT's token path, WhatsApp's real HMAC), posted to the root
domain and routed by the public index to the business that sent the message only.

From the attacker's side too: a wrong token, a forged or missing signature, a wrong verify
token, another business's message id, junk bodies — each refused (or harmless) and nothing
changed."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from devtools.notification_fakes import NotificationFakes
from devtools.webhook_delivery import Delivery
from shared_apps.delivery_reports.models import MessageRoute
from shared_apps.delivery_reports.services import message_route_record
from shared_apps.tenants.models import Tenant
from tenant_apps.notifications.kinds import Channel
from tenant_apps.notifications.models import DeliveryStatus, Notification, Status
from tests.notifications.conftest import SMS_REPORT_TOKEN, send_message
from tests.support.urls import root_path, tenant_path

pytestmark = pytest.mark.django_db

SMS_REPORTS = "delivery_reports:report-africastalking"
WHATSAPP_REPORTS = "delivery_reports:report-whatsapp"


def _row(business: Tenant, row: Notification) -> dict[str, Any]:
    with tenant_context(business):
        fresh = Notification.objects.get(pk=row.pk)
    return {
        "status": fresh.status,
        "delivery_status": fresh.delivery_status,
        "delivered_at": fresh.delivered_at,
        "delivery_error": fresh.delivery_error,
    }


def _post(client: Client, path: str, delivery: Delivery) -> Any:
    """Posts exactly the bytes and headers the fake would."""
    headers = {k: v for k, v in delivery.headers.items() if k.lower() != "content-type"}
    return client.post(
        path,
        data=delivery.body,
        content_type=delivery.headers["Content-Type"],
        headers=headers,
    )


def _sms_path(token: str = SMS_REPORT_TOKEN) -> str:
    return root_path(SMS_REPORTS, token=token)


def _is_error(response: Any, status: int) -> bool:
    body = response.json()
    return response.status_code == status and set(body["error"]) == {"code", "message", "fields"}


# --- Africa's Talking ------------------------------------------------------------------------


def test_an_sms_reported_on_its_way_then_delivered_is_delivered_once(
    business: Tenant, notification_fakes: NotificationFakes, root_client: Client
) -> None:
    row = send_message(business)
    sms = notification_fakes.sms
    assert _row(business, row)["delivery_status"] == DeliveryStatus.PENDING

    submitted = _post(
        root_client, _sms_path(), sms.report_delivery(row.provider_message_id, "Submitted")
    )
    on_its_way = _row(business, row)
    delivered = _post(
        root_client, _sms_path(), sms.report_delivery(row.provider_message_id, "Success")
    )
    after = _row(business, row)
    again = _post(root_client, _sms_path(), sms.outbox[-1])

    assert submitted.status_code == 200 and on_its_way["delivery_status"] == DeliveryStatus.SENT
    assert delivered.json() == {"received": True, "reports": 1, "matched": 1, "applied": 1}
    assert after["delivery_status"] == DeliveryStatus.DELIVERED
    assert after["delivered_at"] is not None and after["status"] == Status.SENT
    assert again.status_code == 200 and again.json()["applied"] == 0
    assert _row(business, row) == after


def test_a_failed_sms_keeps_its_reason_and_a_late_sent_does_not_undo_it(
    business: Tenant, notification_fakes: NotificationFakes, root_client: Client
) -> None:
    row = send_message(business)
    sms = notification_fakes.sms

    failed = _post(
        root_client,
        _sms_path(),
        sms.report_delivery(row.provider_message_id, "Failed", failure_reason="AbsentSubscriber"),
    )
    after_failure = _row(business, row)
    late = _post(root_client, _sms_path(), sms.report_delivery(row.provider_message_id, "Sent"))

    assert failed.status_code == 200 and late.status_code == 200
    assert after_failure["delivery_status"] == DeliveryStatus.FAILED
    assert after_failure["delivery_error"] == "AbsentSubscriber"
    assert after_failure["delivered_at"] is None
    assert _row(business, row) == after_failure


@pytest.mark.parametrize("token", ["wrong-token", SMS_REPORT_TOKEN + "x", "a" * 300])
def test_a_wrong_sms_token_is_a_404_and_changes_nothing(
    business: Tenant, notification_fakes: NotificationFakes, root_client: Client, token: str
) -> None:
    row = send_message(business)
    before = _row(business, row)

    response = _post(
        root_client,
        _sms_path(token),
        notification_fakes.sms.report_delivery(row.provider_message_id, "Success"),
    )

    assert _is_error(response, 404)
    assert _row(business, row) == before


def test_with_no_sms_token_configured_every_report_is_refused(
    business: Tenant, notification_fakes: NotificationFakes, root_client: Client, settings: Any
) -> None:
    row = send_message(business)
    settings.SMS_DELIVERY_REPORT_TOKEN = ""

    response = _post(
        root_client,
        _sms_path("x"),
        notification_fakes.sms.report_delivery(row.provider_message_id, "Success"),
    )

    assert _is_error(response, 404)
    assert _row(business, row)["delivery_status"] == DeliveryStatus.PENDING


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"status=Success",  # no id
        b"id=ATXid_1",  # no status
        b"id=ATXid_%00abc&status=Success",  # a NUL in the id (PostgreSQL refuses NUL in text)
        b"id=ATXid+with+spaces&status=Success",
        b"id=" + b"A" * 201 + b"&status=Success",
        b"id=ATXid_1&status=Succ%0Aess",
        b"\xff\xfe\x00garbage",  # not UTF-8
        b"&".join(b"f%d=1" % n for n in range(100)),  # too many fields
    ],
)
def test_an_sms_report_we_cannot_read_is_a_400_in_the_error_shape(
    business: Tenant, notification_fakes: NotificationFakes, root_client: Client, body: bytes
) -> None:
    row = send_message(business)
    before = _row(business, row)

    response = root_client.post(
        _sms_path(), data=body, content_type="application/x-www-form-urlencoded"
    )

    assert _is_error(response, 400)
    assert _row(business, row) == before


def test_an_sms_report_of_an_unknown_message_is_acknowledged_and_changes_nothing(
    business: Tenant, notification_fakes: NotificationFakes, root_client: Client
) -> None:
    row = send_message(business)
    before = _row(business, row)

    response = root_client.post(
        _sms_path(),
        data=b"id=ATXid_never_sent_by_us&status=Success&phoneNumber=%2B254712345678",
        content_type="application/x-www-form-urlencoded",
    )

    # 200, not 404: AT would post it again and again, and it will never become known.
    assert response.status_code == 200
    assert response.json() == {"received": True, "reports": 1, "matched": 0, "applied": 0}
    assert _row(business, row) == before


def test_an_unknown_sms_status_is_acknowledged_and_ignored(
    business: Tenant, notification_fakes: NotificationFakes, root_client: Client
) -> None:
    row = send_message(business)

    response = _post(
        root_client,
        _sms_path(),
        notification_fakes.sms.report_delivery(row.provider_message_id, "Teleported"),
    )

    assert response.status_code == 200 and response.json()["applied"] == 0
    assert _row(business, row)["delivery_status"] == DeliveryStatus.PENDING


# --- WhatsApp --------------------------------------------------------------------------------


def test_whatsapp_read_then_a_late_delivered_and_sent_keep_read_with_the_earliest_time(
    business: Tenant, notification_fakes: NotificationFakes, root_client: Client
) -> None:
    row = send_message(business, Channel.WHATSAPP)
    whatsapp = notification_fakes.whatsapp
    path = root_path(WHATSAPP_REPORTS)
    message_id = row.provider_message_id

    read = _post(
        root_client, path, whatsapp.report_delivery(message_id, "read", timestamp=1_800_000_300)
    )
    after_read = _row(business, row)
    delivered = _post(
        root_client,
        path,
        whatsapp.report_delivery(message_id, "delivered", timestamp=1_800_000_100),
    )
    after_delivered = _row(business, row)
    sent = _post(
        root_client, path, whatsapp.report_delivery(message_id, "sent", timestamp=1_800_000_000)
    )
    repeated = _post(root_client, path, whatsapp.outbox[0])

    assert read.json()["applied"] == 1 and delivered.json()["applied"] == 1
    assert after_read["delivery_status"] == DeliveryStatus.READ
    assert after_read["delivered_at"] == datetime.fromtimestamp(1_800_000_300, tz=UTC)
    # Read beats delivered; the phone had it at the delivered report's (earlier) time.
    assert after_delivered["delivery_status"] == DeliveryStatus.READ
    assert after_delivered["delivered_at"] == datetime.fromtimestamp(1_800_000_100, tz=UTC)
    assert sent.json()["applied"] == 0 and repeated.json()["applied"] == 0
    assert _row(business, row) == after_delivered


def test_whatsapp_sent_then_delivered_then_failed_stays_delivered(
    business: Tenant, notification_fakes: NotificationFakes, root_client: Client
) -> None:
    row = send_message(business, Channel.WHATSAPP)
    whatsapp = notification_fakes.whatsapp
    path = root_path(WHATSAPP_REPORTS)

    _post(root_client, path, whatsapp.report_delivery(row.provider_message_id, "sent"))
    assert _row(business, row)["delivery_status"] == DeliveryStatus.SENT
    _post(root_client, path, whatsapp.report_delivery(row.provider_message_id, "delivered"))
    delivered = _row(business, row)
    _post(root_client, path, whatsapp.report_delivery(row.provider_message_id, "failed"))

    assert delivered["delivery_status"] == DeliveryStatus.DELIVERED
    assert _row(business, row) == delivered


def test_a_failed_whatsapp_message_records_the_error(
    business: Tenant, notification_fakes: NotificationFakes, root_client: Client
) -> None:
    row = send_message(business, Channel.WHATSAPP)

    response = _post(
        root_client,
        root_path(WHATSAPP_REPORTS),
        notification_fakes.whatsapp.report_delivery(
            row.provider_message_id,
            "failed",
            error_code=131026,
            error_title="Message undeliverable",
        ),
    )

    after = _row(business, row)
    assert response.status_code == 200
    assert after["delivery_status"] == DeliveryStatus.FAILED
    assert after["delivery_error"] == "131026: Message undeliverable"


def _forged(delivery: Delivery, **headers: str) -> Delivery:
    kept = {k: v for k, v in delivery.headers.items() if k != "X-Hub-Signature-256"}
    return Delivery(delivery.body, {**kept, **headers})


@pytest.mark.parametrize("case", ["other_secret", "missing", "body_changed", "not_sha256", "junk"])
def test_a_whatsapp_post_without_our_signature_is_refused_and_changes_nothing(
    business: Tenant, notification_fakes: NotificationFakes, root_client: Client, case: str
) -> None:
    row = send_message(business, Channel.WHATSAPP)
    before = _row(business, row)
    whatsapp = notification_fakes.whatsapp
    genuine = whatsapp.report_delivery(row.provider_message_id, "read")
    forged = {
        "other_secret": _forged(
            genuine, **{"X-Hub-Signature-256": whatsapp.sign(genuine.body, "x")}
        ),
        "missing": _forged(genuine),
        # Signed, then changed: the signature covers exactly the bytes sent.
        "body_changed": Delivery(genuine.body.replace(b'"read"', b'"sent"'), genuine.headers),
        "not_sha256": _forged(
            genuine,
            **{"X-Hub-Signature-256": whatsapp.sign(genuine.body).replace("sha256=", "sha1=")},
        ),
        "junk": _forged(genuine, **{"X-Hub-Signature-256": "sha256=ünïcode\u2603"}),
    }[case]

    response = _post(root_client, root_path(WHATSAPP_REPORTS), forged)

    assert _is_error(response, 403)
    assert response.json()["error"]["code"] == "invalid_signature"
    assert _row(business, row) == before


def test_whatsapp_checks_the_webhook_url_with_our_verify_token_only(
    notification_fakes: NotificationFakes, root_client: Client, settings: Any
) -> None:
    path = root_path(WHATSAPP_REPORTS)
    token = notification_fakes.whatsapp.verify_token

    good = root_client.get(
        path, {"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "1158201444"}
    )
    wrong_token = root_client.get(
        path, {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"}
    )
    wrong_mode = root_client.get(
        path, {"hub.mode": "unsubscribe", "hub.verify_token": token, "hub.challenge": "1"}
    )
    nothing = root_client.get(path)
    settings.WHATSAPP_WEBHOOK_VERIFY_TOKEN = ""
    unconfigured = root_client.get(
        path, {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}
    )

    assert good.status_code == 200 and good.content == b"1158201444"
    assert good["Content-Type"].startswith("text/plain")
    for refused in (wrong_token, wrong_mode, nothing, unconfigured):
        assert _is_error(refused, 403)


def _signed(fakes: NotificationFakes, body: bytes) -> Delivery:
    return Delivery(
        body,
        {"Content-Type": "application/json", "X-Hub-Signature-256": fakes.whatsapp.sign(body)},
    )


def _status(message_id: object, status: object = "delivered", **more: object) -> dict[str, Any]:
    return {"id": message_id, "status": status, "timestamp": "1800000000", **more}


def _envelope(*statuses: object) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {"id": "1", "changes": [{"field": "messages", "value": {"statuses": list(statuses)}}]}
        ],
    }


@pytest.mark.parametrize(
    "make_body",
    [
        lambda good: b"not json",
        lambda good: b"[]",
        lambda good: b'{"object": "page", "entry": []}',
        lambda good: _json({"object": "whatsapp_business_account", "entry": {"not": "a list"}}),
        lambda good: _json(_envelope(_status(good), "not an object")),
        lambda good: _json(_envelope(_status(good), _status(None))),
        lambda good: _json(_envelope(_status(good), _status("wamid.\u0000nul"))),
        lambda good: _json(_envelope(_status(good), _status("wamid.ok", status=7))),
        lambda good: _json(_envelope(_status(good), _status("wamid.ok", timestamp="yesterday"))),
        lambda good: _json(_envelope(_status(good), _status("wamid.ok", timestamp=10**30))),
        lambda good: _json(_envelope(_status(good, status="failed", errors="boom"))),
        lambda good: b"[" * 5000 + b"]" * 5000,
        lambda good: b'{"object": "whatsapp_business_account", "entry": [], "n": NaN}',
    ],
)
def test_a_signed_whatsapp_post_we_cannot_read_is_a_400_and_applies_nothing(
    business: Tenant,
    notification_fakes: NotificationFakes,
    root_client: Client,
    make_body: Callable[[str], bytes],
) -> None:
    row = send_message(business, Channel.WHATSAPP)
    before = _row(business, row)

    # Several start with a good status for a real message: the whole post is refused.
    response = _post(
        root_client,
        root_path(WHATSAPP_REPORTS),
        _signed(notification_fakes, make_body(row.provider_message_id)),
    )

    assert _is_error(response, 400)
    assert _row(business, row) == before


def _json(value: object) -> bytes:
    return json.dumps(value).encode()


def test_a_whatsapp_post_with_unknown_ids_and_other_fields_is_acknowledged(
    business: Tenant, notification_fakes: NotificationFakes, root_client: Client
) -> None:
    row = send_message(business, Channel.WHATSAPP)
    body = _envelope(
        _status("wamid.not-ours", "delivered"),
        _status(row.provider_message_id, "deleted"),  # a status we do not track
    )
    body["entry"][0]["changes"].append({"field": "message_template_status_update", "value": {}})

    response = _post(
        root_client, root_path(WHATSAPP_REPORTS), _signed(notification_fakes, _json(body))
    )

    assert response.status_code == 200
    assert response.json() == {"received": True, "reports": 2, "matched": 1, "applied": 0}
    assert _row(business, row)["delivery_status"] == DeliveryStatus.PENDING


# --- isolation -------------------------------------------------------------------------------


def test_a_report_updates_only_the_business_that_sent_the_message(
    business: Tenant,
    make_tenant: Callable[..., Tenant],
    notification_fakes: NotificationFakes,
    root_client: Client,
) -> None:
    other = make_tenant(business_name="Beta Stores")
    mine = send_message(business)
    theirs = send_message(other)
    # Were another business ever to record the same id, the index keeps the first.
    message_route_record(provider=mine.provider, message_id=mine.provider_message_id, tenant=other)
    # The same id in the other business's own log (as if it had one): never reached.
    with tenant_context(other):
        Notification.objects.filter(pk=theirs.pk).update(
            provider_message_id=mine.provider_message_id
        )
    theirs_before = _row(other, theirs)

    response = _post(
        root_client,
        _sms_path(),
        notification_fakes.sms.report_delivery(mine.provider_message_id, "Success"),
    )

    assert response.json()["applied"] == 1
    assert _row(business, mine)["delivery_status"] == DeliveryStatus.DELIVERED
    assert _row(other, theirs) == theirs_before
    (route,) = MessageRoute.objects.filter(message_id=mine.provider_message_id)
    assert route.tenant_id == business.pk


def test_one_whatsapp_post_for_two_businesses_updates_each_in_its_own_schema(
    business: Tenant,
    make_tenant: Callable[..., Tenant],
    notification_fakes: NotificationFakes,
    root_client: Client,
) -> None:
    other = make_tenant(business_name="Beta Stores")
    mine = send_message(business, Channel.WHATSAPP)
    theirs = send_message(other, Channel.WHATSAPP)
    body = _json(
        _envelope(
            _status(mine.provider_message_id, "read"),
            _status(
                theirs.provider_message_id,
                "failed",
                errors=[{"code": 131047, "title": "Re-engagement message"}],
            ),
        )
    )

    response = _post(root_client, root_path(WHATSAPP_REPORTS), _signed(notification_fakes, body))

    assert response.json() == {"received": True, "reports": 2, "matched": 2, "applied": 2}
    assert _row(business, mine)["delivery_status"] == DeliveryStatus.READ
    other_row = _row(other, theirs)
    assert other_row["delivery_status"] == DeliveryStatus.FAILED
    assert other_row["delivery_error"] == "131047: Re-engagement message"


# --- the log API -----------------------------------------------------------------------------


def test_the_log_shows_and_filters_by_delivery_status(
    business: Tenant,
    notification_fakes: NotificationFakes,
    root_client: Client,
    jwt_client: Callable[[Tenant, str], Client],
) -> None:
    delivered = send_message(business)
    waiting = send_message(business, Channel.WHATSAPP)
    _post(
        root_client,
        _sms_path(),
        notification_fakes.sms.report_delivery(delivered.provider_message_id, "Success"),
    )
    owner = jwt_client(business, business.owner_email)
    log = tenant_path("notifications:notification-list")

    everything = owner.get(log).json()["results"]
    only_delivered = owner.get(log, {"delivery_status": "delivered"}).json()["results"]
    unknown = owner.get(log, {"delivery_status": "teleported"})

    by_id = {r["id"]: r for r in everything}
    assert by_id[delivered.pk]["delivery_status"] == "delivered"
    assert by_id[delivered.pk]["delivered_at"] is not None
    assert by_id[waiting.pk]["delivery_status"] == "pending"
    assert by_id[waiting.pk]["delivery_error"] == ""
    assert [r["id"] for r in only_delivered] == [delivered.pk]
    assert _is_error(unknown, 400)
