"""Helpers shared by the views of processes: form pages, errors, files, the user's application."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.models import User
from core.queries import select_related_only
from processes.models import (
    Application,
    Procedure,
)
from processes.permissions import (
    application_policy,
)


def _form_page(
    request,
    *,
    title: str,
    procedure: Procedure | None,
    form,
    submit: str,
    formsets=(),
    intro: str = "",
    back=None,
):
    """The form page of a procedure's action (core/form_page.html, with formsets)."""
    crumbs = [(_("Procedimenti"), reverse("processes:list"))]
    if procedure:
        crumbs.append((procedure.title, procedure.get_absolute_url()))
    return render(
        request,
        "processes/form.html",
        {
            "heading": title,
            "crumbs": [*crumbs, (title, "")],
            "form": form,
            "formsets": formsets,
            "submit_label": submit,
            "intro": intro,
            "multipart": any(f.is_multipart() for f in [form, *formsets] if f is not None),
            "cancel_url": back
            or (procedure.get_absolute_url() if procedure else reverse("processes:list")),
        },
    )


def _rows(formset, *keys) -> list[dict]:
    return [
        {k: f.cleaned_data.get(k) for k in keys}
        for f in formset.forms
        if f.cleaned_data and f.cleaned_data.get(keys[0]) not in (None, "")
    ]


def _decidable_application(request, pk: int) -> Application:
    """An application the user may decide on (admission, integration requests), else 403."""
    application = _application(request, pk)
    if not application_policy.can_decide(request.user, application):
        raise PermissionDenied
    return application


def _application(request, pk: int, *, write: bool = False) -> Application:
    return application_policy.get(
        request.user,
        pk=pk,
        write=write,
        queryset=select_related_only(
            application_policy.visible(request.user).select_related("procedure__ambito"),
            entity=("name", "email", "tax_code"),
            lead_entity=("name",),
            submitted_by=User.DISPLAY_FIELDS,
        ),
    )


def _submit_form(
    request: HttpRequest, form, action: Callable[[dict], object], success: str
) -> None:
    """Validate a small action form posted from a page, run the service with its data, and say
    the outcome as a message on the page the user goes back to."""
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return
    try:
        action(form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
