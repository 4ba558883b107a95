"""The signup web page on the root domain."""

from __future__ import annotations

import pytest
from django.test import Client

from shared_apps.tenants.models import Tenant
from tests.support.tenants import STRONG_PASSWORD, schema_count, schema_exists
from tests.support.urls import root_path

pytestmark = pytest.mark.django_db

FORM = {
    "business_name": "Baraka Hardware",
    "slug": "baraka-hardware",
    "owner_name": "Baraka Otieno",
    "owner_email": "baraka@example.com",
    "password": STRONG_PASSWORD,
    "country": "KE",
    "currency": "KES",
    "time_zone": "Africa/Nairobi",
}


def test_signup_page_shows_the_form(root_client: Client) -> None:
    response = root_client.get(root_path("tenants:signup"))

    assert response.status_code == 200
    for field in FORM:
        assert f'name="{field}"'.encode() in response.content


def test_signup_page_creates_the_business_and_redirects(root_client: Client) -> None:
    response = root_client.post(root_path("tenants:signup"), FORM)

    # POST/redirect/GET: the browser is sent on, so a reload cannot post the form again
    assert response.status_code == 303
    assert response["Location"] == "/signup/done/"
    assert Tenant.objects.filter(slug="baraka-hardware").exists()
    assert schema_exists("t_baraka_hardware")
    done = root_client.get(root_path("tenants:signup-done"))
    assert done.status_code == 200
    assert b"http://baraka-hardware.localhost:8000/login/" in done.content


def test_reloading_the_page_after_signup_makes_nothing_more(root_client: Client) -> None:
    root_client.post(root_path("tenants:signup"), FORM)
    schemas = schema_count()

    again = [root_client.get(root_path("tenants:signup-done")).status_code for _ in range(3)]

    assert again == [200, 200, 200]
    assert Tenant.objects.exclude(schema_name="public").count() == 1
    assert schema_count() == schemas


def test_the_done_page_without_a_signup_sends_to_the_form(root_client: Client) -> None:
    response = root_client.get(root_path("tenants:signup-done"))

    assert response.status_code == 302
    assert response["Location"] == "/signup/"


def test_the_done_page_shows_only_this_browsers_business(
    root_client: Client, public_tenant: Tenant
) -> None:
    root_client.post(root_path("tenants:signup"), FORM)
    stranger = Client(HTTP_HOST="localhost")

    response = stranger.get(root_path("tenants:signup-done"))

    assert response.status_code == 302
    assert b"baraka-hardware" not in response.content


def test_signup_page_shows_field_errors_and_creates_nothing(root_client: Client) -> None:
    signup_path = root_path("tenants:signup")
    response = root_client.post(signup_path, {**FORM, "slug": "admin", "currency": "ZZZ"})

    assert response.status_code == 400
    assert "“admin” is reserved".encode() in response.content
    assert b"is not an ISO 4217 currency code" in response.content
    assert not Tenant.objects.filter(slug="admin").exists()


def test_signup_page_is_protected_against_csrf(public_tenant: Tenant) -> None:
    client = Client(HTTP_HOST="localhost", enforce_csrf_checks=True)

    response = client.post(root_path("tenants:signup"), FORM)

    assert response.status_code == 403
    assert not Tenant.objects.filter(slug="baraka-hardware").exists()
