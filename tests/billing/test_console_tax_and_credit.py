"""Platform owners edit tax rates, read every business's invoices and issue credit notes, over
the console API and on the console's pages; plans are edited on a page through the catalog's
service. Bad input is a 4xx and changes nothing; only platform owners, only on the root domain."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from billing.models import (
    CreditNote,
    Invoice,
    InvoiceStatus,
    LineKind,
    Plan,
    PlanPrice,
    Subscription,
    SubscriptionStatus,
    TaxRate,
)
from devtools.billing_fakes.server import BillingFakes
from shared_apps.tenants.models import Tenant
from shared_apps.users.models import User
from tests.support.billing import bill_next_boundary, save_card, save_mobile_money
from tests.support.tenants import STRONG_PASSWORD
from tests.support.urls import root_path

pytestmark = pytest.mark.django_db

TAX_RATES = root_path("billing-console:tax-rate-list")
INVOICES = root_path("billing-console:invoice-list")


def tax_url(country: str) -> str:
    return root_path("billing-console:tax-rate-detail", country=country)


def credit_url(invoice: Invoice) -> str:
    return root_path("billing-console:invoice-credit-notes", invoice_id=invoice.pk)


def _rates() -> dict[str, tuple[str, Decimal, bool]]:
    return {t.country: (t.name, t.rate, t.is_active) for t in TaxRate.objects.all()}


@pytest.fixture
def us_shop(make_tenant: Callable[..., Tenant]) -> Tenant:
    return make_tenant(
        business_name="Yankee Goods", country="US", currency="USD", time_zone="America/New_York"
    )


@pytest.fixture
def paid_ke_invoice(make_tenant: Callable[..., Tenant], billing_fakes: BillingFakes) -> Invoice:
    """A Kenyan business's first invoice, paid through Paystack: KES 2,500 + 16 % VAT."""
    shop = make_tenant(business_name="Mama Mboga")
    save_mobile_money(shop, billing_fakes)
    invoice = bill_next_boundary(shop)
    assert invoice is not None and invoice.status == InvoiceStatus.PAID
    assert invoice.total_minor == 290_000
    return invoice


@pytest.fixture
def unpaid_us_invoice(us_shop: Tenant, billing_fakes: BillingFakes) -> Invoice:
    """A US business's first invoice, USD 19.00, whose charge failed: no payment method."""
    invoice = bill_next_boundary(us_shop)
    assert invoice is not None and invoice.status == InvoiceStatus.FINALIZED
    assert Subscription.objects.get(tenant=us_shop).status == SubscriptionStatus.PAST_DUE
    return invoice


# --- tax rates over the API ---------------------------------------------------------------------


def test_owners_list_the_seeded_tax_rates(console: Client) -> None:
    response = console.get(TAX_RATES)

    assert response.status_code == 200, response.content
    by_country = {row["country"]: row for row in response.json()["results"]}
    assert (by_country["KE"]["name"], by_country["KE"]["rate"]) == ("VAT", "0.1600")
    assert by_country["IN"]["name"] == "GST"


def test_a_new_rate_is_added_and_taxes_the_next_invoice_of_that_country(
    console: Client, us_shop: Tenant, billing_fakes: BillingFakes
) -> None:
    response = console.post(
        TAX_RATES,
        {"country": "us", "name": "Sales tax", "rate": "0.0725"},
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["country"] == "US"
    save_card(us_shop, billing_fakes)
    invoice = bill_next_boundary(us_shop)
    assert invoice is not None
    # 7.25 % of USD 19.00 is 137.75 cents, rounded half up.
    assert (invoice.tax_name, invoice.tax_rate, invoice.tax_minor) == (
        "Sales tax",
        Decimal("0.0725"),
        138,
    )
    assert invoice.total_minor == 2038


def test_a_rate_is_edited_and_issued_invoices_keep_theirs(
    console: Client, paid_ke_invoice: Invoice
) -> None:
    response = console.patch(tax_url("KE"), {"rate": "0.1500"}, content_type="application/json")

    assert response.status_code == 200, response.content
    assert _rates()["KE"] == ("VAT", Decimal("0.1500"), True)
    paid_ke_invoice.refresh_from_db()
    assert (paid_ke_invoice.tax_rate, paid_ke_invoice.tax_minor) == (Decimal("0.1600"), 40_000)


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"country": "BW", "name": "VAT", "rate": "1"}, "rate", "out_of_range"),
        ({"country": "BW", "name": "VAT", "rate": "1.5"}, "rate", "out_of_range"),
        ({"country": "BW", "name": "VAT", "rate": "-0.1"}, "rate", "out_of_range"),
        ({"country": "BW", "name": "VAT", "rate": "0.12345"}, "rate", "max_decimal_places"),
        ({"country": "BW", "name": "VAT", "rate": "NaN"}, "rate", "invalid"),
        ({"country": "XX", "name": "VAT", "rate": "0.1"}, "country", "unknown_country"),
        ({"country": "BWA", "name": "VAT", "rate": "0.1"}, "country", "max_length"),
        ({"country": "BW", "name": " ", "rate": "0.1"}, "name", "blank"),
        ({"country": "BW", "rate": "0.1"}, "name", "required"),
    ],
)
def test_a_bad_tax_rate_is_refused_and_nothing_is_written(
    console: Client, body: dict[str, Any], field: str, code: str
) -> None:
    before = _rates()

    response = console.post(TAX_RATES, body, content_type="application/json")

    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"][field][0]["code"] == code
    assert _rates() == before


def test_a_second_rate_for_a_country_is_a_409(console: Client) -> None:
    before = _rates()

    response = console.post(
        TAX_RATES, {"country": "KE", "name": "VAT", "rate": "0.2"}, content_type="application/json"
    )

    assert response.status_code == 409
    assert response.json()["error"]["fields"]["country"][0]["code"] == "country_taken"
    assert _rates() == before


def test_a_bad_edit_changes_nothing_and_an_unknown_country_is_a_404(console: Client) -> None:
    before = _rates()

    too_high = console.patch(
        tax_url("KE"), {"name": "VAT2", "rate": "1"}, content_type="application/json"
    )
    unknown = console.patch(tax_url("ZZ"), {"rate": "0.1"}, content_type="application/json")

    assert too_high.status_code == 400
    assert too_high.json()["error"]["fields"]["rate"][0]["code"] == "out_of_range"
    assert unknown.status_code == 404
    assert _rates() == before


# --- invoices over the API ----------------------------------------------------------------------


def test_owners_list_invoices_by_business_and_status(
    console: Client, paid_ke_invoice: Invoice, unpaid_us_invoice: Invoice
) -> None:
    everything = console.get(INVOICES).json()
    paid = console.get(INVOICES, {"status": "paid"}).json()
    past_due = console.get(INVOICES, {"past_due": "true"}).json()
    of_us = console.get(INVOICES, {"tenant": unpaid_us_invoice.tenant.slug}).json()
    bad = console.get(INVOICES, {"status": "draft"})

    assert everything["count"] == 2
    assert [row["number"] for row in paid["results"]] == [paid_ke_invoice.number]
    assert paid["results"][0]["total"] == {"amount": "2900.00", "currency": "KES"}
    assert paid["results"][0]["gateway"] == "paystack"
    assert [row["number"] for row in past_due["results"]] == [unpaid_us_invoice.number]
    assert [row["number"] for row in of_us["results"]] == [unpaid_us_invoice.number]
    assert of_us["results"][0]["amount_due"] == {"amount": "19.00", "currency": "USD"}
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"]["status"][0]["code"] == "invalid_choice"


def test_an_invoice_in_detail_with_lines_attempts_and_what_is_left_to_credit(
    console: Client, paid_ke_invoice: Invoice
) -> None:
    response = console.get(
        root_path("billing-console:invoice-detail", invoice_id=paid_ke_invoice.pk)
    )
    missing = console.get(root_path("billing-console:invoice-detail", invoice_id=10**9))

    assert response.status_code == 200, response.content
    body = response.json()
    assert [(line["kind"], line["amount_minor"]) for line in body["lines"]] == [
        ("base_fee", 250_000)
    ]
    assert [(a["gateway"], a["status"]) for a in body["attempts"]] == [("paystack", "succeeded")]
    assert body["creditable"] == {"amount": "2900.00", "currency": "KES"}
    assert body["credit_notes"] == []
    assert missing.status_code == 404


# --- credit notes over the API -----------------------------------------------------------------


def test_a_credit_note_on_a_paid_invoice_in_money_is_taken_by_the_next_invoice(
    console: Client, paid_ke_invoice: Invoice
) -> None:
    response = console.post(
        credit_url(paid_ke_invoice),
        {"amount": "500.00", "reason": "Two days without service"},
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("DUKA-CN-")
    assert (body["amount_minor"], body["amount"]) == (
        50_000,
        {"amount": "500.00", "currency": "KES"},
    )
    assert body["issued_by"] == "boss@duka.example"
    paid_ke_invoice.refresh_from_db()
    assert paid_ke_invoice.status == InvoiceStatus.PAID  # what was paid stays paid
    following = bill_next_boundary(paid_ke_invoice.tenant)
    assert following is not None
    (credit,) = [line for line in following.lines.all() if line.kind == LineKind.CREDIT]
    assert credit.amount_minor == -50_000
    listed = console.get(
        root_path("billing-console:credit-note-list"), {"invoice": paid_ke_invoice.pk}
    )
    assert [row["number"] for row in listed.json()["results"]] == [body["number"]]
    assert listed.json()["results"][0]["applied_to"] == following.pk


def test_no_more_than_what_is_left_uncredited_may_be_credited(
    console: Client, paid_ke_invoice: Invoice
) -> None:
    first = console.post(
        credit_url(paid_ke_invoice),
        {"amount_minor": 200_000, "reason": "Goodwill"},
        content_type="application/json",
    )
    assert first.status_code == 201, first.content

    over = console.post(
        credit_url(paid_ke_invoice),
        {"amount_minor": 90_001, "reason": "Goodwill again"},
        content_type="application/json",
    )

    assert over.status_code == 400
    error = over.json()["error"]
    assert error["fields"]["amount_minor"][0]["code"] == "over_invoice_total"
    assert "900.00 KES" in error["message"]
    assert CreditNote.objects.filter(invoice=paid_ke_invoice).count() == 1
    rest = console.post(
        credit_url(paid_ke_invoice),
        {"amount": "900", "reason": "The rest"},
        content_type="application/json",
    )
    assert rest.status_code == 201, rest.content


def test_crediting_what_an_unpaid_invoice_owes_settles_it_and_ends_dunning(
    console: Client, unpaid_us_invoice: Invoice
) -> None:
    response = console.post(
        credit_url(unpaid_us_invoice),
        {"amount": "19.00", "reason": "Waived"},
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    unpaid_us_invoice.refresh_from_db()
    assert (unpaid_us_invoice.status, unpaid_us_invoice.amount_due_minor) == ("paid", 0)
    subscription = Subscription.objects.get(tenant=unpaid_us_invoice.tenant)
    assert subscription.status == SubscriptionStatus.ACTIVE


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"amount": "10", "amount_minor": 1000, "reason": "x"}, "amount", "required"),
        ({"reason": "x"}, "amount", "required"),
        ({"amount": "0.001", "reason": "x"}, "amount", "too_precise"),
        ({"amount": "0", "reason": "x"}, "amount", "min_value"),
        ({"amount_minor": 0, "reason": "x"}, "amount_minor", "min_value"),
        ({"amount_minor": 100, "reason": ""}, "reason", "blank"),
        ({"amount_minor": 100, "reason": "y" * 301}, "reason", "max_length"),
        ({"amount_minor": 2_000, "reason": "x"}, "amount_minor", "over_invoice_total"),
    ],
)
def test_a_bad_credit_note_is_refused_and_nothing_changes(
    console: Client, unpaid_us_invoice: Invoice, body: dict[str, Any], field: str, code: str
) -> None:
    response = console.post(credit_url(unpaid_us_invoice), body, content_type="application/json")

    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"][field][0]["code"] == code
    assert not CreditNote.objects.exists()
    unpaid_us_invoice.refresh_from_db()
    assert (unpaid_us_invoice.status, unpaid_us_invoice.credited_minor) == ("finalized", 0)


def test_a_void_invoice_cannot_be_credited_and_an_unknown_one_is_a_404(
    console: Client, unpaid_us_invoice: Invoice
) -> None:
    Invoice.objects.filter(pk=unpaid_us_invoice.pk).update(status=InvoiceStatus.VOID)
    body = {"amount_minor": 100, "reason": "x"}

    void = console.post(credit_url(unpaid_us_invoice), body, content_type="application/json")
    missing = console.post(
        root_path("billing-console:invoice-credit-notes", invoice_id=10**9),
        body,
        content_type="application/json",
    )

    assert void.status_code == 409
    assert void.json()["error"]["code"] == "not_creditable"
    assert missing.status_code == 404
    assert not CreditNote.objects.exists()


def test_only_platform_owners_on_the_root_domain_reach_invoices_taxes_and_credits(
    root_client: Client,
    unpaid_us_invoice: Invoice,
    tenant_client: Callable[[Tenant], Client],
) -> None:
    paths = [TAX_RATES, INVOICES, tax_url("KE"), credit_url(unpaid_us_invoice)]
    anonymous = [root_client.get(path).status_code for path in paths]
    User.objects.create_user("someone@duka.example", STRONG_PASSWORD, full_name="Someone")
    root_client.login(username="someone@duka.example", password=STRONG_PASSWORD)
    not_owner = root_client.post(
        credit_url(unpaid_us_invoice),
        {"amount_minor": 100, "reason": "x"},
        content_type="application/json",
    )
    business_host = tenant_client(unpaid_us_invoice.tenant)

    assert anonymous == [403, 403, 403, 403]
    assert not_owner.status_code == 403
    assert not_owner.json()["error"]["code"] == "not_platform_owner"
    assert [business_host.get(path).status_code for path in paths] == [404] * 4
    assert business_host.get(root_path("console:invoice-list")).status_code == 404
    assert not CreditNote.objects.exists()


# --- the console's pages ------------------------------------------------------------------------


def test_an_owner_issues_a_credit_note_from_the_invoice_page(
    console: Client, paid_ke_invoice: Invoice
) -> None:
    page = root_path("console:invoice-detail", invoice_id=paid_ke_invoice.pk)
    shown = console.get(page)
    assert shown.status_code == 200
    assert "2900.00 KES" in shown.content.decode()

    response = console.post(
        root_path("console:invoice-credit-notes", invoice_id=paid_ke_invoice.pk),
        {"amount": "100.50", "reason": "Outage"},
    )

    assert response.status_code == 302
    assert response["Location"] == page
    (note,) = CreditNote.objects.filter(invoice=paid_ke_invoice)
    assert (note.amount_minor, note.reason, note.issued_by) == (
        10_050,
        "Outage",
        "boss@duka.example",
    )
    assert note.number in console.get(page).content.decode()


def test_the_invoice_page_refuses_a_credit_over_what_is_left(
    console: Client, paid_ke_invoice: Invoice
) -> None:
    response = console.post(
        root_path("console:invoice-credit-notes", invoice_id=paid_ke_invoice.pk),
        {"amount": "2900.01", "reason": "Too much"},
    )

    assert response.status_code == 400
    assert "is left to credit" in response.content.decode()
    assert not CreditNote.objects.exists()


def test_the_invoice_list_page_filters_by_business(
    console: Client, paid_ke_invoice: Invoice, unpaid_us_invoice: Invoice
) -> None:
    response = console.get(
        root_path("console:invoice-list"), {"tenant": paid_ke_invoice.tenant.slug}
    )

    assert response.status_code == 200
    assert [i.number for i in response.context["page"]] == [paid_ke_invoice.number]


def test_an_owner_adds_and_edits_a_tax_rate_on_the_pages(console: Client) -> None:
    added = console.post(
        root_path("console:tax-rate-list"),
        {"country": "BW", "name": "VAT", "rate": "0.14", "is_active": "on"},
    )
    refused = console.post(
        root_path("console:tax-rate-detail", country="BW"), {"name": "VAT", "rate": "1"}
    )
    edited = console.post(
        root_path("console:tax-rate-detail", country="BW"), {"name": "VAT", "rate": "0.12"}
    )

    assert added.status_code == 302
    assert refused.status_code == 400
    assert "below 1" in refused.content.decode()
    assert edited.status_code == 302
    # Unticked "charged on invoices": the rate stays, unused.
    assert _rates()["BW"] == ("VAT", Decimal("0.1200"), False)
    assert console.get(root_path("console:tax-rate-detail", country="QQ")).status_code == 404


def test_an_owner_edits_a_plan_on_its_page_through_the_catalog_service(console: Client) -> None:
    page = root_path("console:plan-detail", code="growth")
    form = console.get(page)
    assert form.status_code == 200
    assert 'name="fee_USD"' in form.content.decode()

    response = console.post(
        page,
        {
            "name": "Growth",
            "trial_days": "30",
            "is_active": "on",
            "max_stores": "12",
            "max_registers": "",
            "max_staff_seats": "25",
            "max_products": "20000",
            "forecasting": "on",
            "api_access": "on",
            "fee_USD": "59.00",
        },
    )

    assert response.status_code == 302
    plan = Plan.objects.get(code="growth")
    assert (plan.trial_days, plan.max_stores, plan.max_registers, plan.multi_store) == (
        30,
        12,
        None,
        False,
    )
    fees = {str(p.amount.currency): p.amount.amount for p in PlanPrice.objects.filter(plan=plan)}
    assert (fees["USD"], fees["KES"]) == (Decimal("59.00"), Decimal("6500.00"))


def test_the_default_plan_cannot_stop_being_the_default_on_its_page(console: Client) -> None:
    response = console.post(
        root_path("console:plan-detail", code="starter"),
        {"name": "Starter", "trial_days": "14", "is_active": "on"},
    )

    assert response.status_code == 400
    assert "Make another plan the default" in response.content.decode()
    assert Plan.objects.get(code="starter").is_default


def test_console_billing_pages_send_strangers_to_the_login_and_refuse_non_owners(
    root_client: Client,
) -> None:
    pages = [
        root_path("console:billing-report"),
        root_path("console:invoice-list"),
        root_path("console:tax-rate-list"),
        root_path("console:plan-list"),
    ]
    anonymous = [root_client.get(page) for page in pages]
    User.objects.create_user("someone@duka.example", STRONG_PASSWORD, full_name="Someone")
    root_client.login(username="someone@duka.example", password=STRONG_PASSWORD)

    assert all(r.status_code == 302 for r in anonymous)
    assert all(r["Location"].startswith(root_path("console:login")) for r in anonymous)
    assert [root_client.get(page).status_code for page in pages] == [403] * 4
