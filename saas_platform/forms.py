"""Page views (server-rendered forms) show a domain error the way the API's error shape does:
each field's problems on that field, the rest at the top of the form; and one way to run a
posted form through a service (``form_submit``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django import forms
from django.http import HttpRequest

from saas_platform.errors import DukaError

_Done = TypeVar("_Done")


def add_error_to_form(form: forms.Form, error: DukaError) -> None:
    for field, problems in error.fields.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem["message"])
    if not error.fields:
        form.add_error(None, error.message)


@dataclass(frozen=True)
class Submission(Generic[_Done]):
    """What became of a page's form: ``ok`` with what the service returned, or the status to
    render the form again with (200 on a GET, 400 for an invalid form, the error's own
    status for a refusal, whose problems are on the form; ``error`` is that refusal)."""

    ok: bool
    done: _Done | None = None
    status: int = 200
    error: DukaError | None = None


def form_submit(
    request: HttpRequest, form: forms.Form, act: Callable[[dict[str, Any]], _Done]
) -> Submission[_Done]:
    """Runs ``act`` on the form's cleaned data when the request posted a valid form."""
    if request.method != "POST":
        return Submission(ok=False)
    if not form.is_valid():
        return Submission(ok=False, status=400)
    try:
        return Submission(ok=True, done=act(form.cleaned_data))
    except DukaError as exc:
        add_error_to_form(form, exc)
        return Submission(ok=False, status=exc.status, error=exc)
