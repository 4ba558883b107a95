"""The SMS and WhatsApp fakes check the credentials and speak the documented wire formats, and
our providers read their answers: taken, refused, an outage (retryable), a lost answer."""

from __future__ import annotations

import httpx
import pytest

from devtools.notification_fakes import NotificationFakes
from tenant_apps.notifications.providers.africastalking import AfricasTalkingSms
from tenant_apps.notifications.providers.base import ProviderError
from tenant_apps.notifications.providers.whatsapp_cloud import WhatsAppCloud

KENYAN = "+254712345678"


def _sms(fakes: NotificationFakes, **overrides: str) -> httpx.Response:
    form = {"username": fakes.sms.username, "to": KENYAN, "message": "Habari"}
    headers = {"apiKey": fakes.sms.api_key, "Accept": "application/json"}
    headers.update({k: v for k, v in overrides.items() if k == "apiKey"})
    form.update({k: v for k, v in overrides.items() if k != "apiKey"})
    return httpx.post(f"{fakes.sms_api_base}/version1/messaging", data=form, headers=headers)


def test_sms_fake_takes_a_message_in_the_documented_shape(
    notification_fakes: NotificationFakes,
) -> None:
    response = _sms(notification_fakes)

    assert response.status_code == 201
    (recipient,) = response.json()["SMSMessageData"]["Recipients"]
    assert recipient["statusCode"] == 101 and recipient["status"] == "Success"
    assert recipient["number"] == KENYAN and recipient["messageId"].startswith("ATXid_")
    assert response.json()["SMSMessageData"]["Message"].startswith("Sent to 1/1")
    (message,) = notification_fakes.sms.messages
    assert (message["to"], message["text"]) == (KENYAN, "Habari")


@pytest.mark.parametrize("override", [{"apiKey": "wrong"}, {"username": "someone-else"}])
def test_sms_fake_refuses_wrong_credentials_and_records_nothing(
    notification_fakes: NotificationFakes, override: dict[str, str]
) -> None:
    response = _sms(notification_fakes, **override)

    assert response.status_code == 401
    assert notification_fakes.sms.messages == []


def test_sms_fake_refuses_json_and_reports_a_bad_number_per_recipient(
    notification_fakes: NotificationFakes,
) -> None:
    as_json = httpx.post(
        f"{notification_fakes.sms_api_base}/version1/messaging",
        json={"username": "sandbox", "to": KENYAN, "message": "x"},
        headers={"apiKey": notification_fakes.sms.api_key},
    )
    bad_number = _sms(notification_fakes, to="0712345678")

    assert as_json.status_code == 415
    (recipient,) = bad_number.json()["SMSMessageData"]["Recipients"]
    assert (recipient["statusCode"], recipient["status"]) == (403, "InvalidPhoneNumber")
    assert notification_fakes.sms.messages == []


def test_whatsapp_fake_checks_the_token_the_number_id_and_the_body(
    notification_fakes: NotificationFakes,
) -> None:
    fake = notification_fakes.whatsapp
    url = f"{notification_fakes.whatsapp_api_base}/v21.0/{fake.phone_number_id}/messages"
    good = {"messaging_product": "whatsapp", "to": "254712345678", "type": "text",
            "text": {"body": "Habari"}}  # fmt: skip

    no_token = httpx.post(url, json=good)
    wrong_id = httpx.post(
        url.replace(fake.phone_number_id, "999"),
        json=good,
        headers={"Authorization": f"Bearer {fake.token}"},
    )
    no_product = httpx.post(
        url,
        json={**good, "messaging_product": "sms"},
        headers={"Authorization": f"Bearer {fake.token}"},
    )
    taken = httpx.post(url, json=good, headers={"Authorization": f"Bearer {fake.token}"})

    assert no_token.status_code == 401 and no_token.json()["error"]["code"] == 190
    assert wrong_id.status_code == 400 and no_product.status_code == 400
    assert taken.status_code == 200
    assert taken.json()["messages"][0]["id"].startswith("wamid.")
    assert [m["to"] for m in fake.messages] == ["254712345678"]


def test_the_sms_provider_sends_and_reads_refusals_and_outages(
    notification_fakes: NotificationFakes,
) -> None:
    sms = AfricasTalkingSms.from_settings()

    sent = sms.send(to=KENYAN, text="Stock is low")
    notification_fakes.sms.reject_next("InsufficientBalance", 405)
    with pytest.raises(ProviderError) as refused:
        sms.send(to=KENYAN, text="again")
    notification_fakes.sms.fail_next(1, status=503)
    with pytest.raises(ProviderError) as outage:
        sms.send(to=KENYAN, text="later")

    assert sent.message_id == notification_fakes.sms.messages[0]["id"]
    assert (refused.value.code, refused.value.retryable) == ("InsufficientBalance", False)
    assert outage.value.retryable and not outage.value.unknown
    assert len(notification_fakes.sms.messages) == 1


def test_the_sms_provider_with_a_wrong_key_is_a_final_failure(
    notification_fakes: NotificationFakes, settings: object
) -> None:
    setattr(settings, "SMS_API_KEY", "not-the-key")  # noqa: B010

    with pytest.raises(ProviderError) as refused:
        AfricasTalkingSms.from_settings().send(to=KENYAN, text="x")

    assert refused.value.code == "unauthorized" and not refused.value.retryable
    assert notification_fakes.sms.messages == []


def test_the_whatsapp_provider_sends_text_or_a_template(
    notification_fakes: NotificationFakes, settings: object
) -> None:
    text = WhatsAppCloud.from_settings().send(to=KENYAN, text="Habari")
    setattr(settings, "WHATSAPP_TEMPLATE", "duka_alert")  # noqa: B010
    template = WhatsAppCloud.from_settings().send(to=KENYAN, text="Sugar is low")

    first, second = notification_fakes.whatsapp.messages
    assert text.message_id == first["id"] and template.message_id == second["id"]
    assert first["body"]["text"] == {"preview_url": False, "body": "Habari"}
    assert second["body"]["template"]["name"] == "duka_alert"
    assert second["body"]["template"]["language"] == {"code": "en"}
    assert second["text"] == "Sugar is low"


def test_a_lost_answer_is_unknown_not_retryable(
    notification_fakes: NotificationFakes, settings: object
) -> None:
    setattr(settings, "NOTIFICATION_PROVIDER_TIMEOUT", 0.3)  # noqa: B010
    notification_fakes.whatsapp.answer_late(1.0)

    with pytest.raises(ProviderError) as lost:
        WhatsAppCloud.from_settings().send(to=KENYAN, text="Habari")

    assert lost.value.unknown and not lost.value.retryable
    assert len(notification_fakes.whatsapp.messages) == 1  # it went all the same
