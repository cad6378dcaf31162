"""Pages of invitations: the convocation, the answers panel, RSVP, attendance, calendars."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.forms import add_service_errors, flash_errors
from core.http import AuthenticatedHttpRequest
from tables import calendar, forms, selectors, services, tokens
from tables.models import (
    Invitation,
    Meeting,
)
from tables.permissions import (
    can_manage_table,
    meeting_policy,
    table_policy,
)
from tables.views.common import meeting_for, refuses_frozen


def panel_context(meeting: Meeting) -> dict:
    invitations = list(selectors.meeting_invitations(meeting))
    counts = selectors.response_counts(meeting)
    return {
        "invitations": invitations,
        "counts": counts,
        "chart": _answers_chart(counts),
        "failed": [i for i in invitations if i.delivery_status == "failed"],
    }


CHART_COLOURS = {"yes": "#006644", "maybe": "#7a4d00", "no": "#a3293d", "pending": "#5d7083"}


def _answers_chart(counts: dict[str, int]) -> list[dict]:
    """Segments of a stacked bar (x and width in percent) for the answers chart."""
    total = sum(counts.values()) or 1
    segments, x = [], 0.0
    for key, label in Invitation.Response.choices:
        width = 100 * counts.get(key, 0) / total
        if width:
            segments.append(
                {
                    "x": round(x, 2),
                    "width": round(width, 2),
                    "colour": CHART_COLOURS[key],
                    "label": label,
                    "n": counts[key],
                }
            )
        x += width
    return segments


@login_required
def invitations_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The answers panel alone: staff's page polls it with htmx."""
    meeting = meeting_for(request, pk, write=True)
    return render(
        request,
        "tables/partials/invitations_panel.html",
        {"meeting": meeting, "manager": True, **panel_context(meeting)},
    )


@login_required
@refuses_frozen
def meeting_send(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk, write=True)
    services.ensure_record_open(meeting)
    form = forms.SendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            count = services.invitations_send(
                meeting=meeting, actor=request.user, extra=form.cleaned_data["extra"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if count:
                messages.success(
                    request,
                    ngettext(
                        "Convocazione in invio a %(n)d persona: lo stato dell'invio compare qui sotto.",
                        "Convocazione in invio a %(n)d persone: lo stato di ogni invio compare qui sotto.",
                        count,
                    )
                    % {"n": count},
                )
            else:
                messages.info(
                    request,
                    _("Tutti gli invitati avevano già ricevuto la convocazione: nulla da inviare."),
                )
            return redirect(meeting)
    members = list(selectors.active_members().filter(table=meeting.table))
    return render(
        request,
        "tables/meeting_send.html",
        {
            "meeting": meeting,
            "form": form,
            "members": members,
            "agenda": list(meeting.agenda_items.all()),
        },
    )


@login_required
@require_POST
def invitation_resend(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(
        Invitation.objects.select_related("meeting__table", "last_email"),
        pk=pk,
        meeting__in=meeting_policy.visible(request.user),
    )
    if not can_manage_table(request.user, invitation.meeting.table):
        raise PermissionDenied
    if services.invitation_resend(invitation=invitation, actor=request.user):
        messages.success(
            request,
            _("Convocazione rimessa in coda per %(who)s.") % {"who": invitation.display_name},
        )
    else:
        messages.info(
            request, _("Questa convocazione non è in errore: non è stata inviata di nuovo.")
        )
    return redirect(invitation.meeting)


def rsvp(request: HttpRequest, token: str) -> HttpResponse:
    """Answer from the e-mail link, without logging in. GET shows the choice (links in e-mails
    may be opened by scanners, so only POST records it)."""
    invitation = tokens.invitation_from_token(token)
    if invitation is None:
        raise Http404
    meeting = invitation.meeting
    initial = (
        request.GET.get("risposta")
        if request.GET.get("risposta") in Invitation.Response.values
        else invitation.response
    )
    form = forms.RsvpForm(request.POST or None, initial={"response": initial})
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_respond(
                invitation=invitation,
                response=form.cleaned_data["response"],
                actor=request.user if request.user.is_authenticated else None,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Grazie, la tua risposta è stata registrata: %(r)s.")
                % {"r": invitation.get_response_display()},
            )
            return redirect("tables:rsvp", token=token)
    return render(
        request,
        "tables/rsvp.html",
        {
            "invitation": invitation,
            "meeting": meeting,
            "form": form,
            "agenda": list(meeting.agenda_items.all()),
        },
    )


@login_required
@require_POST
def meeting_rsvp(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk)
    invitation = meeting.invitations.filter(user=request.user).first()
    if invitation is None:
        raise PermissionDenied
    form = forms.RsvpForm(request.POST)
    if form.is_valid():
        try:
            services.invitation_respond(
                invitation=invitation, response=form.cleaned_data["response"], actor=request.user
            )
            messages.success(request, _("Risposta registrata."))
        except ValidationError as exc:
            flash_errors(request, exc)
    return redirect(meeting)


@login_required
@refuses_frozen
def attendance(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk, write=True)
    services.ensure_record_open(meeting)
    invitations = list(selectors.meeting_invitations(meeting))
    rows = [
        (
            inv,
            forms.AttendanceRowForm(
                request.POST or None,
                prefix=f"p{inv.pk}",
                initial={
                    "attendance": inv.attendance,
                    "delegated_to": inv.delegated_to,
                    "attendance_note": inv.attendance_note,
                },
            ),
        )
        for inv in invitations
    ]
    if request.method == "POST" and all(f.is_valid() for _i, f in rows):
        count = services.attendance_record(
            meeting=meeting,
            rows=[{"invitation": i, **f.cleaned_data} for i, f in rows],
            actor=request.user,
        )
        messages.success(
            request,
            ngettext(
                "Registro delle presenze salvato (%(n)d modifica).",
                "Registro delle presenze salvato (%(n)d modifiche).",
                count,
            )
            % {"n": count},
        )
        return redirect(meeting)
    return render(request, "tables/attendance.html", {"meeting": meeting, "rows": rows})


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk)
    return _ics_response(
        calendar.meeting_ics(meeting, method="PUBLISH"),
        f"seduta-{meeting.pk}.ics",
    )


def table_feed(request: HttpRequest, pk: int) -> HttpResponse:
    table = table_policy.get(request.user, pk=pk)
    since = timezone.now() - timedelta(days=365)
    meetings = selectors.public_meetings().filter(table=table, starts_at__gte=since)
    return _ics_response(calendar.meetings_feed(meetings, table.name), f"tavolo-{table.slug}.ics")


def personal_feed(request: HttpRequest, token: str) -> HttpResponse:
    user = tokens.user_from_feed_token(token)
    if user is None:
        raise Http404
    since = timezone.now() - timedelta(days=365)
    meetings = selectors.meetings_for_user(user).filter(starts_at__gte=since)
    return _ics_response(calendar.meetings_feed(meetings, _("Le mie sedute")), "le-mie-sedute.ics")


@login_required
def calendar_subscribe(request: AuthenticatedHttpRequest) -> HttpResponse:
    url = request.build_absolute_uri(
        reverse("tables:personal_feed", kwargs={"token": tokens.feed_token(request.user)})
    )
    return render(
        request,
        "tables/calendar.html",
        {"feed_url": url, "seats": list(selectors.tables_of_user(request.user))},
    )
