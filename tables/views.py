"""Pages of tables, meetings, invitations and minutes. Views are thin: they parse input, check
permission through tables.permissions, call a service or a selector, render."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ambito import routing
from ambito.models import Ambito
from ambito.permissions import managed_ambiti, managed_ambito_ids
from core import ics, jobs
from core.forms import posted_text
from core.queries import select_related_only
from core.spreadsheets import requested_format, spreadsheet_response
from core.storage import file_basename
from entities.models import Entity
from entities.permissions import administered_entity_ids
from tables import forms, records, resources, selectors, services
from tables.models import (
    Invitation,
    Meeting,
    MeetingAttachment,
    Minutes,
    MinutesVersion,
    Table,
    TableMembership,
)
from tables.permissions import (
    can_join,
    can_manage_table,
    is_member,
    meeting_policy,
    membership_policy,
    minutes_policy,
    table_policy,
)


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _fail(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def refuses_frozen(view):
    """The pages that change a meeting's record answer 409 with the reason, and what to do
    instead, once the minutes are approved (services.RecordFrozen), whatever the method."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except services.RecordFrozen as exc:
            meeting = exc.meeting
            return render(
                request,
                "tables/record_frozen.html",
                {
                    "meeting": meeting,
                    "table": meeting.table,
                    "message": exc.messages[0],
                    "manager": can_manage_table(request.user, meeting.table),
                },
                status=409,
            )

    return wrapper


# --- tables -------------------------------------------------------------------------------
def table_list(request: HttpRequest) -> HttpResponse:
    ambiti = list(Ambito.objects.order_by("name"))
    code = request.GET.get("ambito") or routing.place().code  # inside an ambito: its tables
    ambito = next((a for a in ambiti if a.code == code), None)
    page = Paginator(selectors.tables_list(ambito=ambito), 20).get_page(request.GET.get("page"))
    page.object_list = selectors.with_card_details(list(page.object_list))
    can_create = bool(managed_ambito_ids(request.user)) if request.user.is_authenticated else False
    return render(
        request,
        "tables/table_list.html",
        {
            "page_obj": page,
            "ambiti": ambiti if routing.place().pk is None else [],  # no filter inside one
            "ambito": ambito,
            "can_create": can_create,
            "querystring_prefix": f"ambito={ambito.code}&" if ambito else "",
        },
    )


@login_required
def table_create(request: HttpRequest) -> HttpResponse:
    ambiti = list(managed_ambiti(request.user))
    if not ambiti:
        raise PermissionDenied
    chosen = request.GET.get("ambito") or str(routing.place().pk)  # default: the visitor's ambito
    ambito = next((a for a in ambiti if str(a.pk) == chosen), ambiti[0])
    form = forms.TableForm(request.POST or None, ambito=ambito)
    if request.method == "POST" and form.is_valid():
        table = services.table_save(form=form, actor=request.user, ambito=ambito)
        messages.success(request, _("Tavolo creato."))
        return redirect(table)
    return render(
        request,
        "tables/table_form.html",
        {"form": form, "ambito": ambito, "ambiti": ambiti, "table": None},
    )


@login_required
def table_update(request: HttpRequest, pk: int) -> HttpResponse:
    table = table_policy.get(request.user, pk=pk, write=True)
    form = forms.TableForm(request.POST or None, instance=table, ambito=table.ambito)
    if request.method == "POST" and form.is_valid():
        services.table_save(form=form, actor=request.user)
        messages.success(request, _("Modifiche salvate."))
        return redirect(table)
    return render(
        request, "tables/table_form.html", {"form": form, "ambito": table.ambito, "table": table}
    )


@login_required
@require_POST
def table_archive(request: HttpRequest, pk: int) -> HttpResponse:
    table = table_policy.get(request.user, pk=pk, write=True)
    archived = table.archived_at is None
    services.table_archive(table=table, actor=request.user, archived=archived)
    messages.success(request, _("Tavolo archiviato.") if archived else _("Tavolo riattivato."))
    return redirect(table)


def table_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    table = table_policy.get(
        user,
        pk=pk,
        queryset=table_policy.visible(user)
        .select_related("ambito", "comune")
        .prefetch_related("themes", "coordinators"),
    )
    manager = can_manage_table(user, table)
    person = ("first_name", "last_name", "email")  # what display_name reads
    members = list(
        select_related_only(
            selectors.active_members().select_related(None).filter(table=table),
            entity=("name",),
            comune=("name",),
            delegate=person,
            substitute=person,
        )
    )
    upcoming, past = selectors.table_meetings(table, user, manager=manager)
    member = is_member(user, table)
    my_requests = []
    if user.is_authenticated:
        entity_ids = administered_entity_ids(user)
        my_requests = [m for m in members if m.entity_id in entity_ids]
        my_requests += list(
            table.memberships.filter(
                entity_id__in=entity_ids, status=TableMembership.Status.REQUESTED
            ).select_related("entity")
        )
    context = {
        "table": table,
        "manager": manager,
        "member": member,
        "members": members,
        "upcoming": upcoming,
        "past": past,
        "pending_count": table.memberships.filter(status=TableMembership.Status.REQUESTED).count()
        if manager
        else 0,
        "can_join": can_join(user, table),
        "my_requests": my_requests,
        "feed_url": request.build_absolute_uri(
            reverse("tables:table_feed", kwargs={"pk": table.pk})
        ),
    }
    return render(request, "tables/table_detail.html", context)


# --- memberships --------------------------------------------------------------------------
@login_required
def table_members(request: HttpRequest, pk: int) -> HttpResponse:
    table = table_policy.get(request.user, pk=pk, write=True)
    add_form = forms.MemberAddForm(request.POST or None, ambito=table.ambito)
    if request.method == "POST" and add_form.is_valid():
        data = add_form.cleaned_data
        try:
            if data["kind"] == TableMembership.Kind.EXPERT:
                person = services.expert_user(
                    email=data["email"], first_name=data["first_name"], last_name=data["last_name"]
                )
            else:
                person = data["person"]
            services.membership_add(
                table=table,
                kind=data["kind"],
                person=person,
                comune=data.get("comune"),
                motivation=data.get("motivation", ""),
                actor=request.user,
            )
        except ValidationError as exc:
            _form_errors(add_form, exc)
        else:
            messages.success(request, _("Membro aggiunto."))
            return redirect("tables:members", pk=table.pk)
    members = list(selectors.active_members().filter(table=table))
    for member in members:  # named with their table ("Rimuovi" says which seat): the page's own
        member.table = table
    context = {
        "table": table,
        "members": members,
        "requests": list(
            table.memberships.filter(status=TableMembership.Status.REQUESTED).select_related(
                "entity", "delegate", "substitute"
            )
        ),
        "history": list(
            selectors.table_history(table).filter(status__in=["refused", "left"])[:100]
        ),
        "add_form": add_form,
        "decision_form": forms.DecisionForm(),
    }
    return render(request, "tables/table_members.html", context)


@login_required
def members_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The members and their attendance as a spreadsheet: for who manages the table (as its
    members page)."""
    table = table_policy.get(request.user, pk=pk, write=True)
    return spreadsheet_response(
        resources.members_attendance_dataset(table),
        requested_format(request),
        filename=f"membri-presenze-{table.slug or table.pk}",
    )


@login_required
def table_join(request: HttpRequest, pk: int) -> HttpResponse:
    table = table_policy.get(request.user, pk=pk)
    if not can_join(request.user, table):
        raise PermissionDenied
    entities = Entity.objects.filter(
        pk__in=administered_entity_ids(request.user),
        ambito_id=table.ambito_id,
        status=Entity.Status.VERIFIED,
    ).order_by("name")
    if not entities.exists():
        messages.error(
            request,
            _(
                "Solo un ente verificato può chiedere di partecipare: il tuo ente è in attesa di verifica."
            ),
        )
        return redirect(table)
    form = forms.JoinForm(request.POST or None, entities=entities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.membership_request(
                table=table,
                entity=data["entity"],
                delegate=data["delegate"],
                substitute=data["substitute"],
                motivation=data["motivation"],
                actor=request.user,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("Richiesta inviata: riceverai una e-mail quando l'Ufficio di Piano avrà deciso."),
            )
            return redirect(table)
    return render(request, "tables/table_join.html", {"table": table, "form": form})


@login_required
@require_POST
def membership_decide(request: HttpRequest, pk: int) -> HttpResponse:
    membership = membership_policy.get(request.user, pk=pk, write=True)
    form = forms.DecisionForm(request.POST)
    form.is_valid()
    approve = request.POST.get("decision") == "approve"
    try:
        services.membership_decide(
            membership=membership,
            approve=approve,
            reason=form.cleaned_data.get("reason", ""),
            actor=request.user,
        )
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("Richiesta accolta.") if approve else _("Richiesta respinta."))
    return redirect("tables:members", pk=membership.table_id)


@login_required
@require_POST
def membership_leave(request: HttpRequest, pk: int) -> HttpResponse:
    membership = membership_policy.get(request.user, pk=pk)
    if not membership_policy.can_leave(request.user, membership):
        raise PermissionDenied
    try:
        services.membership_leave(
            membership=membership,
            actor=request.user,
            reason=posted_text(request.POST.get("reason")),
        )
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("Partecipazione chiusa: resta nello storico del tavolo."))
    if can_manage_table(request.user, membership.table):
        return redirect("tables:members", pk=membership.table_id)
    return redirect(membership.table)


# --- meetings -----------------------------------------------------------------------------
def _agenda_initial(meeting: Meeting | None) -> list[dict]:
    if meeting is None:
        return []
    return [
        {"id": a.pk, "title": a.title, "description": a.description}
        for a in meeting.agenda_items.all()
    ]


def _meeting_form(request: HttpRequest, *, table: Table, meeting: Meeting | None) -> HttpResponse:
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
            if creating:
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
            _form_errors(form, exc)
    return render(
        request,
        "tables/meeting_form.html",
        {"form": form, "agenda": agenda, "table": table, "meeting": meeting},
    )


@login_required
def meeting_create(request: HttpRequest, pk: int) -> HttpResponse:
    table = table_policy.get(request.user, pk=pk, write=True)
    return _meeting_form(request, table=table, meeting=None)


@login_required
@refuses_frozen
def meeting_update(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, write=True)
    services.ensure_record_open(meeting)
    if meeting.is_cancelled:
        messages.error(request, _("La seduta è annullata e non si può modificare."))
        return redirect(meeting)
    return _meeting_form(request, table=meeting.table, meeting=meeting)


def _meeting(request: HttpRequest, pk: int, *, write: bool = False) -> Meeting:
    user = request.user
    return meeting_policy.get(
        user,
        pk=pk,
        write=write,
        queryset=meeting_policy.visible(user).select_related("table__ambito"),
    )


def _may_read_documents(user, meeting: Meeting) -> bool:
    if can_manage_table(user, meeting.table) or is_member(user, meeting.table):
        return True
    return user.is_authenticated and meeting.invitations.filter(user=user).exists()


def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
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
        "attachments": list(meeting.attachments.all())
        if _may_read_documents(user, meeting)
        else [],
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
        context.update(_panel_context(meeting))
    return render(request, "tables/meeting_detail.html", context)


def _panel_context(meeting: Meeting) -> dict:
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
    meeting = _meeting(request, pk, write=True)
    return render(
        request,
        "tables/partials/invitations_panel.html",
        {"meeting": meeting, "manager": True, **_panel_context(meeting)},
    )


@login_required
@refuses_frozen
def meeting_send(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, write=True)
    services.ensure_record_open(meeting)
    form = forms.SendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            count = services.invitations_send(
                meeting=meeting, actor=request.user, extra=form.cleaned_data["extra"]
            )
        except ValidationError as exc:
            _form_errors(form, exc)
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
@refuses_frozen
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, write=True)
    services.meeting_cancel(
        meeting=meeting, actor=request.user, reason=posted_text(request.POST.get("reason"))
    )
    messages.success(request, _("Seduta annullata: gli invitati ricevono l'annullamento."))
    return redirect(meeting)


@login_required
@require_POST
def invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
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
    invitation = services.invitation_from_token(token)
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
            _form_errors(form, exc)
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
def meeting_rsvp(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
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
            _fail(request, exc)
    return redirect(meeting)


@login_required
@refuses_frozen
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, write=True)
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


@login_required
@require_POST
@refuses_frozen
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, write=True)
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
            _form_errors(form, exc)
        else:
            messages.success(request, _("Allegato caricato."))
            return redirect(meeting)
    return render(
        request, "tables/attachment_form.html", {"meeting": meeting, "form": form}, status=400
    )


def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = get_object_or_404(
        MeetingAttachment.objects.select_related("meeting__table"),
        pk=pk,
        meeting__in=meeting_policy.visible(request.user),
    )
    if not _may_read_documents(request.user, attachment.meeting):
        raise PermissionDenied
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=file_basename(attachment.file),
    )


@login_required
@require_POST
@refuses_frozen
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
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


# --- calendars ----------------------------------------------------------------------------
def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    return _ics_response(
        ics.build([services.calendar_event(meeting)], method="PUBLISH", name=meeting.table.name),
        f"seduta-{meeting.pk}.ics",
    )


def _feed(meetings, name: str) -> bytes:
    meetings = (
        meetings.select_related("table__ambito")
        .prefetch_related("agenda_items")
        .order_by("starts_at")
    )
    return ics.build(
        [services.calendar_event(m) for m in meetings[:500]], method="PUBLISH", name=name
    )


def table_feed(request: HttpRequest, pk: int) -> HttpResponse:
    table = table_policy.get(request.user, pk=pk)
    since = timezone.now() - timezone.timedelta(days=365)
    meetings = selectors.public_meetings().filter(table=table, starts_at__gte=since)
    return _ics_response(_feed(meetings, table.name), f"tavolo-{table.slug}.ics")


def personal_feed(request: HttpRequest, token: str) -> HttpResponse:
    user = services.user_from_feed_token(token)
    if user is None:
        raise Http404
    since = timezone.now() - timezone.timedelta(days=365)
    meetings = selectors.meetings_for_user(user).filter(starts_at__gte=since)
    return _ics_response(_feed(meetings, _("Le mie sedute")), "le-mie-sedute.ics")


@login_required
def calendar_subscribe(request: HttpRequest) -> HttpResponse:
    url = request.build_absolute_uri(
        reverse("tables:personal_feed", kwargs={"token": services.feed_token(request.user)})
    )
    return render(
        request,
        "tables/calendar.html",
        {"feed_url": url, "seats": list(selectors.tables_of_user(request.user))},
    )


# --- minutes ------------------------------------------------------------------------------
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
            filename=services.minutes_pdf_filename(current),
            draft=services.correction_draft(minutes) if manager else None,
        )
    else:
        (loaded,) = records.load(Minutes, [minutes.pk])
        context["record"] = records.context(records.build(loaded, digests=False))
    return context


def minutes_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
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
def minutes_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, write=True)
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


def _minutes_for_write(request: HttpRequest, pk: int) -> Minutes:
    meeting = _meeting(request, pk, write=True)
    return get_object_or_404(
        Minutes.objects.select_related("meeting__table__ambito"), meeting=meeting
    )


@login_required
@require_POST
def minutes_share(request: HttpRequest, pk: int) -> HttpResponse:
    minutes = _minutes_for_write(request, pk)
    try:
        services.minutes_share(minutes=minutes, actor=request.user)
        messages.success(request, _("Bozza condivisa con i membri del tavolo per le osservazioni."))
    except ValidationError as exc:
        _fail(request, exc)
    return redirect("tables:minutes_detail", pk=pk)


@login_required
@require_POST
def minutes_approve(request: HttpRequest, pk: int) -> HttpResponse:
    minutes = _minutes_for_write(request, pk)
    try:
        services.minutes_approve(minutes=minutes, actor=request.user)
        messages.success(
            request,
            _(
                "Verbale approvato: il PDF è in preparazione e sarà pubblicato sulla pagina del tavolo."
            ),
        )
    except ValidationError as exc:
        _fail(request, exc)
    return redirect("tables:minutes_detail", pk=pk)


@login_required
@require_POST
def minutes_regenerate(request: HttpRequest, pk: int) -> HttpResponse:
    minutes = _minutes_for_write(request, pk)
    try:
        services.minutes_render(minutes=minutes, actor=request.user)
        messages.success(request, _("Rigenerazione del PDF avviata."))
    except ValidationError as exc:
        _fail(request, exc)
    return redirect("tables:minutes_detail", pk=pk)


@login_required
@require_POST
def minutes_comment(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
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
            _fail(request, exc)
    else:
        messages.error(request, _("Scrivi il testo dell'osservazione."))
    return redirect("tables:minutes_detail", pk=pk)


# --- corrections (rettifiche) ---------------------------------------------------------------
@login_required
def minutes_correction(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff write the correction of approved minutes, with its reason; it waits as a draft
    version until approved (minutes_correction_approve) or dropped."""
    minutes = _minutes_for_write(request, pk)
    if not minutes.is_approved:
        messages.info(
            request, _("Il verbale non è ancora approvato: si corregge modificando la bozza.")
        )
        return redirect("tables:minutes_detail", pk=pk)
    draft = services.correction_draft(minutes)
    current = services.current_version(minutes)
    base = (draft or current).record
    data = request.POST if request.method == "POST" else None
    form = forms.CorrectionForm(
        data, initial={**base["minutes"], "reason": draft.reason if draft else ""}
    )
    items = [
        (
            item,
            forms.MinutesItemForm(
                data,
                prefix=f"a{item['id']}",
                initial={"summary": item["summary"], "decisions": item["decisions"]},
            ),
        )
        for item in base["agenda"]
    ]
    rows = [
        (
            row,
            forms.CorrectionAttendanceForm(
                data,
                prefix=f"p{row['id']}",
                initial={"attendance": row["attendance"], "delegated_to": row["delegated_to"]},
            ),
        )
        for row in base["attendance"]
    ]
    valid = [f.is_valid() for f in (form, *(f for _i, f in items), *(f for _r, f in rows))]
    if data is not None and all(valid):
        try:
            draft = services.minutes_correction_save(
                minutes=minutes,
                reason=form.cleaned_data["reason"],
                data=form.cleaned_data,
                items=[{"id": i["id"], **f.cleaned_data} for i, f in items],
                attendance=[{"id": r["id"], **f.cleaned_data} for r, f in rows],
                actor=request.user,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Rettifica salvata, non ancora pubblicata: approvala per pubblicarla come "
                    "versione %(n)d del verbale."
                )
                % {"n": draft.number},
            )
            return redirect("tables:minutes_correction", pk=pk)
    return render(
        request,
        "tables/minutes_correction.html",
        {
            "minutes": minutes,
            "meeting": minutes.meeting,
            "table": minutes.meeting.table,
            "current": current,
            "draft": draft,
            "form": form,
            "items": items,
            "rows": rows,
        },
    )


@login_required
@require_POST
def minutes_correction_approve(request: HttpRequest, pk: int) -> HttpResponse:
    minutes = _minutes_for_write(request, pk)
    try:
        services.minutes_correction_approve(minutes=minutes, actor=request.user)
    except ValidationError as exc:
        _fail(request, exc)
        return redirect("tables:minutes_correction", pk=pk)
    messages.success(
        request,
        _(
            "Rettifica approvata e pubblicata come nuova versione del verbale: il PDF è in "
            "preparazione. La versione precedente resta consultabile."
        ),
    )
    return redirect("tables:minutes_detail", pk=pk)


@login_required
@require_POST
def minutes_correction_discard(request: HttpRequest, pk: int) -> HttpResponse:
    minutes = _minutes_for_write(request, pk)
    try:
        services.minutes_correction_discard(minutes=minutes, actor=request.user)
        messages.success(request, _("Rettifica annullata: il verbale in vigore non cambia."))
    except ValidationError as exc:
        _fail(request, exc)
    return redirect("tables:minutes_detail", pk=pk)


# --- published versions and their PDFs ------------------------------------------------------
def _public_minutes(request: HttpRequest, pk: int) -> Minutes:
    meeting = _meeting(request, pk)
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
            "job": jobs.latest(owner=version, kind=services.MINUTES_PDF),
            "filename": services.minutes_pdf_filename(version),
        },
    )


def _pdf_response(version: MinutesVersion) -> HttpResponse:
    job = selectors.version_pdf(version)
    if job is None:
        raise Http404
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=services.minutes_pdf_filename(version),
        content_type="application/pdf",
    )


def minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
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


def minutes_version_pdf(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _pdf_response(_published_version(_public_minutes(request, pk), number))
