"""The billing page's plan form: the same two inputs as the API's, checked before any query."""

from __future__ import annotations

from django import forms

from billing.services.subscriptions import CHANGE_TIMINGS


class PlanChangeForm(forms.Form):
    plan = forms.SlugField(max_length=40)
    when = forms.ChoiceField(choices=[(timing, timing) for timing in CHANGE_TIMINGS])
