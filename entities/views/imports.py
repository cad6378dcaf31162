"""Import of entities from a file (in the background, with a dry run) and export of the directory."""

from __future__ import annotations

import tablib
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ambito.permissions import is_staff_of, is_ufficio_di_piano
from core.http import AuthenticatedHttpRequest
from core.models import FileJob
from core.permissions import user_passes
from core.spreadsheets import requested_format, spreadsheet_response
from entities import selectors
from entities.filters import DirectoryFilter
from entities.forms import (
    ImportForm,
)
from entities.permissions import chosen_import_ambito
from entities.resources import EntityResource
from entities.services import imports
from entities.views.common import crumbs


def _import_context(request: HttpRequest, job: FileJob | None, **extra) -> dict:
    """The import page's context: the upload form, and the job with its outcome once done."""
    context: dict = {
        "ambiti": selectors.import_ambiti(request.user),
        "crumbs": crumbs(_("Importa")),
        **selectors.import_job_outcome(job),
        **extra,
    }
    context.setdefault("form", ImportForm())
    return context


@user_passes(is_ufficio_di_piano)
def import_entities(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The upload: checked at once (kind, size), then stored and imported in the background."""
    ambiti = selectors.import_ambiti(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        ambito = chosen_import_ambito(ambiti, request.POST.get("ambito"))
        if ambito is None:
            raise PermissionDenied
        try:
            job = imports.import_start(
                user=request.user,
                ambito=ambito,
                upload=form.cleaned_data["file"],
                fmt=form.format,
                dry_run=form.cleaned_data["dry_run"],
            )
        except ValidationError as exc:
            form.add_error("file", exc.messages)
        else:
            return redirect("entities:import_job", pk=job.pk)
    latest = imports.latest_job(request.user)
    context = _import_context(request, None, form=form)
    if latest is not None and latest.is_active:
        context["running"] = latest
    return render(request, "entities/import.html", context)


@user_passes(is_ufficio_di_piano)
def import_job(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One import of the user's: its progress, then what came of it."""
    job = imports.job_for_user(request.user, pk)
    return render(request, "entities/import.html", _import_context(request, job))


@user_passes(is_ufficio_di_piano)
def import_job_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The job's block alone, polled by the page (htmx) until the import ends."""
    job = imports.job_for_user(request.user, pk)
    return render(request, "entities/partials/import_job.html", _import_context(request, job))


@user_passes(is_ufficio_di_piano)
@require_POST
def import_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Import for real the file of a dry run that found no error."""
    job = imports.job_for_user(request.user, pk)
    try:
        new = imports.import_confirm(user=request.user, job=job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("entities:import")
    return redirect("entities:import_job", pk=new.pk)


@user_passes(is_ufficio_di_piano)
def import_template(request: HttpRequest) -> HttpResponse:
    resource = EntityResource()
    dataset = tablib.Dataset(headers=[f.column_name for f in resource.get_export_fields()])
    dataset.append(
        [
            "Associazione Esempio ODV", "90012340417", "", "odv", "a", "iscritto", "12345", "15/03/2023",
            "Via Roma 1", "61032", "041013", "", "info@esempio.org", "", "", "Mario Rossi",
            "RSSMRA80A01H501U", "a, u", "famiglia-minori", "041013, 041029", "12", "0",
            "Breve descrizione",
        ]
    )  # fmt: skip
    return spreadsheet_response(
        dataset, requested_format(request, default="xlsx"), filename="modello-import-enti"
    )


@user_passes(is_staff_of)
def export(request: HttpRequest) -> HttpResponse:
    filterset = DirectoryFilter(
        request.GET or None, queryset=selectors.exportable_entities(request.user), request=request
    )
    queryset = filterset.qs.prefetch_related("operating_comuni").select_related("seat_comune")
    dataset = EntityResource().export(queryset=queryset)
    stamp = timezone.localdate().isoformat()
    return spreadsheet_response(dataset, requested_format(request), filename=f"enti-{stamp}")
