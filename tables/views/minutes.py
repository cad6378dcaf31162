"""Pages of the minutes: write, share, comment, approve; the published versions and PDFs."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import jobs
from core.forms import flash_errors
from core.http import AuthenticatedHttpRequest, file_response
from tables import forms, records, selectors, services
from tables.minutes_pdf import MINUTES_PDF, minutes_pdf_filename
from tables.models import (
    Minutes,
    MinutesVersion,
)
from tables.permissions import (
    can_manage_table,
    minutes_policy,
)
from tables.views.common import meeting_for, minutes_for_write, refuses_frozen


def _minutes_context(request: HttpRequest, minutes: Minutes) -> dict:
    """The minutes page: approved minutes show their version in force (from its frozen record)
    and every published version; a draft or shared one its record built from the live rows."""
    meeting = minutes.meeting
    manager = can_manage_table(request.user, meeting.table)
    context = {
        "minutes": minutes,
        "meeting": meeting,
        "table": meeting.table,
        "manager": manager,
        "comments": list(minutes.comments.select_related("author")),
        "can_comment": request.user.is_authenticated
        and minutes_policy.can_comment(request.user, minutes),
        "comment_form": forms.CommentForm(),
    }
    if minutes.is_approved:
        versions = selectors.published_versions(minutes)
        current = versions[-1]
        context.update(
            record=records.context(current.record),
            version=current,
            versions=versions,
            job=current.job,
            filename=minutes_pdf_filename(current),
            draft=selectors.correction_draft(minutes) if manager else None,
        )
    else:
        (loaded,) = records.load(Minutes, [minutes.pk])
        context["record"] = records.context(records.build(loaded, digests=False))
    return context


def minutes_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is None:
        if can_manage_table(request.user, meeting.table):
            return redirect("tables:minutes_edit", pk=meeting.pk)
        raise Http404
    minutes = minutes_policy.get(
        request.user,
        pk=minutes.pk,
        queryset=minutes_policy.visible(request.user).select_related("meeting__table__ambito"),
    )
    return render(request, "tables/minutes_detail.html", _minutes_context(request, minutes))


@login_required
@refuses_frozen
def minutes_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk, write=True)
    services.ensure_record_open(meeting)
    minutes = Minutes.objects.filter(meeting=meeting).first() or Minutes(meeting=meeting)
    if not minutes.pk:
        minutes.chair = request.user.get_full_name()
    agenda = list(meeting.agenda_items.all())
    form = forms.MinutesForm(request.POST or None, instance=minutes)
    items = [
        (
            a,
            forms.MinutesItemForm(
                request.POST or None,
                prefix=f"a{a.pk}",
                initial={"summary": a.summary, "decisions": a.decisions},
            ),
        )
        for a in agenda
    ]
    if request.method == "POST" and form.is_valid() and all(f.is_valid() for _a, f in items):
        services.minutes_save(
            meeting=meeting,
            data=form.cleaned_data,
            items=[{"id": a.pk, **f.cleaned_data} for a, f in items],
            actor=request.user,
        )
        messages.success(request, _("Verbale salvato."))
        return redirect("tables:minutes_detail", pk=meeting.pk)
    attendance_rows = list(selectors.meeting_invitations(meeting))
    return render(
        request,
        "tables/minutes_form.html",
        {"meeting": meeting, "form": form, "items": items, "attendance": attendance_rows},
    )


@login_required
@require_POST
def minutes_share(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _minutes_step(
        request,
        pk,
        services.minutes_share,
        _("Bozza condivisa con i membri del tavolo per le osservazioni."),
    )


@login_required
@require_POST
def minutes_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _minutes_step(
        request,
        pk,
        services.minutes_approve,
        _("Verbale approvato: il PDF è in preparazione e sarà pubblicato sulla pagina del tavolo."),
    )


@login_required
@require_POST
def minutes_regenerate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _minutes_step(request, pk, services.minutes_render, _("Rigenerazione del PDF avviata."))


def _minutes_step(
    request: AuthenticatedHttpRequest, pk: int, step: Callable[..., object], success: str
) -> HttpResponse:
    """A button on the minutes' page: run the service `step` on the minutes the user may edit,
    say how it went, and go back to the page."""
    minutes = minutes_for_write(request, pk)
    try:
        step(minutes=minutes, actor=request.user)
        messages.success(request, success)
    except ValidationError as exc:
        flash_errors(request, exc)
    return redirect("tables:minutes_detail", pk=pk)


@login_required
@require_POST
def minutes_comment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk)
    minutes = minutes_policy.get(request.user, meeting=meeting)
    if not minutes_policy.can_comment(request.user, minutes):
        raise PermissionDenied
    form = forms.CommentForm(request.POST)
    if form.is_valid():
        try:
            services.minutes_comment(
                minutes=minutes, body=form.cleaned_data["body"], actor=request.user
            )
            messages.success(request, _("Osservazione inviata."))
        except ValidationError as exc:
            flash_errors(request, exc)
    else:
        messages.error(request, _("Scrivi il testo dell'osservazione."))
    return redirect("tables:minutes_detail", pk=pk)


def _public_minutes(request: HttpRequest, pk: int) -> Minutes:
    meeting = meeting_for(request, pk)
    return minutes_policy.get(
        request.user,
        queryset=minutes_policy.visible(request.user).select_related("meeting__table"),
        meeting=meeting,
        status=Minutes.Status.APPROVED,
    )


def _published_version(minutes: Minutes, number: int | None = None) -> MinutesVersion:
    """A published version of the minutes (the one in force when `number` is None), or 404."""
    versions = minutes.versions.filter(status=MinutesVersion.Status.PUBLISHED)
    version = (
        versions.order_by("-number").first()
        if number is None
        else versions.filter(number=number).first()
    )
    if version is None:
        raise Http404
    version.minutes = minutes
    return version


def minutes_job(request: HttpRequest, pk: int) -> HttpResponse:
    """The PDF of the version in force, polled while it is rendered, with its SHA-256."""
    minutes = _public_minutes(request, pk)
    version = _published_version(minutes)
    return render(
        request,
        "tables/partials/minutes_pdf.html",
        {
            "meeting": minutes.meeting,
            "job": jobs.latest(owner=version, kind=MINUTES_PDF),
            "filename": minutes_pdf_filename(version),
        },
    )


def _pdf_response(version: MinutesVersion) -> HttpResponseBase:
    job = selectors.version_pdf(version)
    if job is None:
        raise Http404
    return file_response(
        job.file, filename=minutes_pdf_filename(version), content_type="application/pdf"
    )


def minutes_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The PDF of the version in force (the address published on the table's page)."""
    return _pdf_response(_published_version(_public_minutes(request, pk)))


def minutes_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """A published version, the one in force or an earlier one, as it was approved."""
    minutes = _public_minutes(request, pk)
    version = _published_version(minutes, number)
    versions = selectors.published_versions(minutes)
    return render(
        request,
        "tables/minutes_version.html",
        {
            "minutes": minutes,
            "meeting": minutes.meeting,
            "table": minutes.meeting.table,
            "version": next(v for v in versions if v.pk == version.pk),
            "current": versions[-1],
            "record": records.context(version.record),
        },
    )


def minutes_version_pdf(request: HttpRequest, pk: int, number: int) -> HttpResponseBase:
    return _pdf_response(_published_version(_public_minutes(request, pk), number))
