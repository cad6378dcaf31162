"""Pages of a meeting: create, update, detail, cancel, attachments."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import add_service_errors, posted_text
from core.http import AuthenticatedHttpRequest, file_response
from tables import forms, services
from tables.models import (
    Meeting,
    MeetingAttachment,
    Minutes,
    Table,
)
from tables.permissions import (
    can_manage_table,
    may_read_documents,
    meeting_policy,
    minutes_policy,
    table_policy,
)
from tables.views.common import meeting_for, refuses_frozen
from tables.views.invitations import panel_context


def _agenda_initial(meeting: Meeting | None) -> list[dict]:
    if meeting is None:
        return []
    return [
        {"id": a.pk, "title": a.title, "description": a.description}
        for a in meeting.agenda_items.all()
    ]


def _meeting_form(
    request: AuthenticatedHttpRequest, *, table: Table, meeting: Meeting | None
) -> HttpResponse:
    creating = meeting is None
    initial = {}
    if meeting:
        initial = {k: getattr(meeting, k) for k in services.MEETING_FIELDS}
        initial["starts_at"] = timezone.localtime(meeting.starts_at)
        initial["ends_at"] = timezone.localtime(meeting.ends_at)
    form = forms.MeetingForm(request.POST or None, initial=initial, creating=creating)
    agenda = forms.AgendaFormSet(
        request.POST or None, initial=_agenda_initial(meeting), prefix="agenda"
    )
    if request.method == "POST" and form.is_valid() and agenda.is_valid():
        try:
            if meeting is None:
                meeting = services.meeting_create(
                    table=table,
                    data=form.cleaned_data,
                    agenda=forms.agenda_rows(agenda),
                    actor=request.user,
                )
                messages.success(
                    request,
                    _(
                        "Seduta creata. Controlla l'ordine del giorno, aggiungi gli allegati e invia la convocazione."
                    ),
                )
            else:
                sequence = meeting.sequence
                meeting = services.meeting_update(
                    meeting=meeting,
                    data=form.cleaned_data,
                    agenda=forms.agenda_rows(agenda),
                    actor=request.user,
                )
                if meeting.sequence != sequence:
                    messages.success(
                        request,
                        _(
                            "Modifiche salvate: gli invitati ricevono l'aggiornamento della convocazione."
                        ),
                    )
                else:
                    messages.success(request, _("Modifiche salvate."))
            return redirect(meeting)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(
        request,
        "tables/meeting_form.html",
        {"form": form, "agenda": agenda, "table": table, "meeting": meeting},
    )


@login_required
def meeting_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    table = table_policy.get(request.user, pk=pk, write=True)
    return _meeting_form(request, table=table, meeting=None)


@login_required
@refuses_frozen
def meeting_update(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk, write=True)
    services.ensure_record_open(meeting)
    if meeting.is_cancelled:
        messages.error(request, _("La seduta è annullata e non si può modificare."))
        return redirect(meeting)
    return _meeting_form(request, table=meeting.table, meeting=meeting)


def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk)
    user = request.user
    manager = can_manage_table(user, meeting.table)
    my_invitation = meeting.invitations.filter(user=user).first() if user.is_authenticated else None
    minutes = Minutes.objects.filter(meeting=meeting).first()
    frozen = minutes is not None and minutes.is_approved
    if minutes and not minutes_policy.visible(user).filter(pk=minutes.pk).exists():
        minutes = None
    context = {
        "frozen": frozen,
        "meeting": meeting,
        "table": meeting.table,
        "manager": manager,
        "agenda": list(meeting.agenda_items.all()),
        "attachments": list(meeting.attachments.all()) if may_read_documents(user, meeting) else [],
        "my_invitation": my_invitation,
        "rsvp_form": forms.RsvpForm(initial={"response": my_invitation.response})
        if my_invitation
        else None,
        "minutes": minutes,
        "attachment_form": forms.AttachmentForm()
        if manager and not meeting.is_cancelled and not frozen
        else None,
    }
    if manager:
        context.update(panel_context(meeting))
    return render(request, "tables/meeting_detail.html", context)


@login_required
@require_POST
@refuses_frozen
def meeting_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk, write=True)
    services.meeting_cancel(
        meeting=meeting, actor=request.user, reason=posted_text(request.POST.get("reason"))
    )
    messages.success(request, _("Seduta annullata: gli invitati ricevono l'annullamento."))
    return redirect(meeting)


@login_required
@require_POST
@refuses_frozen
def attachment_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk, write=True)
    services.ensure_record_open(meeting)
    form = forms.AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(
                meeting=meeting,
                title=form.cleaned_data["title"],
                file=form.cleaned_data["file"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Allegato caricato."))
            return redirect(meeting)
    return render(
        request, "tables/attachment_form.html", {"meeting": meeting, "form": form}, status=400
    )


def attachment_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    attachment = get_object_or_404(
        MeetingAttachment.objects.select_related("meeting__table"),
        pk=pk,
        meeting__in=meeting_policy.visible(request.user),
    )
    if not may_read_documents(request.user, attachment.meeting):
        raise PermissionDenied
    return file_response(attachment.file)


@login_required
@require_POST
@refuses_frozen
def attachment_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    attachment = get_object_or_404(
        MeetingAttachment.objects.select_related("meeting__table"),
        pk=pk,
        meeting__in=meeting_policy.visible(request.user),
    )
    if not can_manage_table(request.user, attachment.meeting.table):
        raise PermissionDenied
    services.attachment_delete(attachment=attachment, actor=request.user)
    messages.success(request, _("Allegato eliminato."))
    return redirect(attachment.meeting)
