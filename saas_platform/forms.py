"""Page views (server-rendered forms) show a domain error the way the API's error shape does:
each field's problems on that field, the rest at the top of the form."""

from __future__ import annotations

from django import forms

from saas_platform.errors import DukaError


def add_error_to_form(form: forms.Form, error: DukaError) -> None:
    for field, problems in error.fields.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem["message"])
    if not error.fields:
        form.add_error(None, error.message)
