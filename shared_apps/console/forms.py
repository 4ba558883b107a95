from __future__ import annotations

from datetime import UTC
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from billing.models import InvoiceStatus
from billing.services.tax_rates import NAME_MAX_LENGTH
from shared_apps.console.access import is_platform_owner
from shared_apps.console.services import STATUS_REASON_MAX_LENGTH
from shared_apps.tenants.models import TenantStatus
from shared_apps.users.forms import LoginForm
from shared_apps.users.models import User


class PlatformOwnerAuthenticationForm(LoginForm):
    """The shared login form (with the backoff of every password login), for owners only."""

    error_messages = {
        **LoginForm.error_messages,
        "not_platform_owner": (
            "This account may not use the platform console. Business staff log in at their "
            "business's own address."
        ),
    }

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if not is_platform_owner(user):
            raise forms.ValidationError(
                self.error_messages["not_platform_owner"], code="not_platform_owner"
            )


class TenantFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "Any status"), *TenantStatus.choices], required=False)
    search = forms.CharField(max_length=100, required=False, label="Slug or name")


class StatusChangeForm(forms.Form):
    reason = forms.CharField(
        max_length=STATUS_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Recorded in the business's status history.",
        error_messages={"required": "Give a reason; it is recorded in the status history."},
    )


# --- billing ------------------------------------------------------------------------------------

# Ten years, as the figures API allows.
LONGEST_PERIOD_DAYS = 3660


class PeriodForm(forms.Form):
    """The API's ``?start=&end=`` on a page, in platform days (UTC): this month so far when
    left out, both days included. (Pages do not import the API kit, so the form repeats its
    three rules and their messages.)"""

    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        end = data.get("end") or timezone.now().astimezone(UTC).date()
        start = data.get("start") or end.replace(day=1)
        if start > end:
            self.add_error("start", "The period starts after it ends.")
        elif (end - start).days + 1 > LONGEST_PERIOD_DAYS:
            self.add_error("start", f"A period covers at most {LONGEST_PERIOD_DAYS} days.")
        return {**data, "start": start, "end": end}


class InvoiceFilterForm(forms.Form):
    tenant = forms.SlugField(max_length=63, required=False, label="Business (slug)")
    status = forms.ChoiceField(
        choices=[("", "Any status")]
        + [c for c in InvoiceStatus.choices if c[0] != InvoiceStatus.DRAFT],
        required=False,
    )
    past_due = forms.BooleanField(required=False, label="Past due only")


class CreditNoteForm(forms.Form):
    amount = forms.DecimalField(
        max_digits=18,
        decimal_places=4,
        min_value=Decimal("0.0001"),
        help_text="In the invoice's currency; at most what is left to credit.",
    )
    reason = forms.CharField(max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class TaxRateForm(forms.Form):
    name = forms.CharField(max_length=NAME_MAX_LENGTH, help_text="VAT, GST…")
    rate = forms.DecimalField(
        max_digits=6, decimal_places=4, help_text="A fraction from 0 to below 1: 0.16 for 16 %."
    )
    is_active = forms.BooleanField(required=False, initial=True, label="Charged on invoices")


class TaxRateCreateForm(TaxRateForm):
    country = forms.CharField(
        min_length=2, max_length=2, help_text="ISO 3166-1 alpha-2 code, e.g. KE."
    )
    field_order = ["country", "name", "rate", "is_active"]


def _limit(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        min_value=0, max_value=1_000_000, required=False, label=label, help_text="Empty: unlimited."
    )


class PlanForm(forms.Form):
    """A plan's name, trial, offer, limits and features, and its base fee per currency (one
    field per currency it is sold in; an emptied fee stays as it was)."""

    name = forms.CharField(max_length=100)
    trial_days = forms.IntegerField(min_value=0, max_value=365)
    is_active = forms.BooleanField(required=False, label="Offered to new subscriptions")
    is_default = forms.BooleanField(required=False, label="Signup's trial plan (the default)")
    max_stores = _limit("Stores")
    max_registers = _limit("Tills")
    max_staff_seats = _limit("Staff seats")
    max_products = _limit("Products")
    forecasting = forms.BooleanField(required=False)
    api_access = forms.BooleanField(required=False, label="API access")
    multi_store = forms.BooleanField(required=False, label="Multi-store")
    notifications = forms.BooleanField(required=False)

    def __init__(self, *args: Any, currencies: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.currencies = currencies
        for currency in currencies:
            self.fields[f"fee_{currency}"] = forms.DecimalField(
                max_digits=18,
                decimal_places=4,
                min_value=Decimal(0),
                required=False,
                label=f"Base fee in {currency}",
            )

    def changes(self) -> tuple[dict[str, Any], dict[str, Decimal]]:
        """The plan fields and the base fees, as ``plan_update`` takes them."""
        data = dict(self.cleaned_data)
        prices = {
            currency: data.pop(f"fee_{currency}")
            for currency in self.currencies
            if data.get(f"fee_{currency}") is not None
        }
        fields = {k: v for k, v in data.items() if not k.startswith("fee_")}
        return fields, prices
