from __future__ import annotations

from django import forms

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
