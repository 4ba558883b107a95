from __future__ import annotations

from django import forms

from shared_apps.tenants.validators import country_codes, time_zones


class SignupForm(forms.Form):
    business_name = forms.CharField(max_length=200, label="Business name")
    slug = forms.CharField(
        max_length=63,
        label="Web address",
        help_text="Lowercase letters, digits and hyphens; 3 to 40 characters.",
    )
    owner_name = forms.CharField(max_length=150, label="Your name")
    owner_email = forms.EmailField(label="E-mail")
    password = forms.CharField(widget=forms.PasswordInput, label="Password", strip=False)
    country = forms.ChoiceField(choices=[])
    currency = forms.CharField(max_length=3, initial="KES", help_text="ISO 4217 code, e.g. KES")
    time_zone = forms.ChoiceField(choices=[], initial="Africa/Nairobi", label="Time zone")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["country"].choices = [(c, c) for c in sorted(country_codes())]  # type: ignore[attr-defined]
        self.fields["country"].initial = "KE"
        self.fields["time_zone"].choices = [(z, z) for z in sorted(time_zones())]  # type: ignore[attr-defined]


class BusinessAddressForm(forms.Form):
    """The root domain's login: which business's site to go to."""

    slug = forms.SlugField(max_length=63, label="Your business's web address")
    email = forms.EmailField(required=False, label="E-mail (optional)")

    def clean_slug(self) -> str:
        return str(self.cleaned_data["slug"]).strip().lower()


class FindBusinessForm(forms.Form):
    email = forms.EmailField(label="The e-mail you signed up with")
