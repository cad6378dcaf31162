"""Staff pages of public events: create and edit an event and its sessions, its registrations
and their export, check-in at the door, attendance, calling the event off."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ambito.permissions import managed_ambiti
from core.forms import int_id, posted_text
from core.http import AuthenticatedHttpRequest, page_prefix
from core.permissions import user_passes
from core.spreadsheets import requested_format, spreadsheet_response
from participation import selectors
from participation.forms import EventForm, SessionForm
from participation.models import Booking, Event
from participation.permissions import can_manage_content, event_policy
from participation.resources import bookings_dataset
from participation.services import cancellations
from participation.services import content as content_services


@user_passes(can_manage_content)
def event_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _event_form(request, Event(created_by=request.user))


def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    return _event_form(request, event_policy.get(request.user, pk=pk, write=True))


def _event_form(request: HttpRequest, event: Event) -> HttpResponse:
    form = EventForm(
        request.POST or None,
        instance=event,
        initial={"publish": event.status == Event.Status.PUBLISHED},
    )
    form.limit_ambito(managed_ambiti(request.user))
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        if form.cleaned_data["publish"]:
            obj.status = Event.Status.PUBLISHED
        elif obj.status == Event.Status.PUBLISHED:
            obj.status = Event.Status.DRAFT
        content_services.content_save(
            instance=obj, by=request.user, fields=[*form.Meta.fields, "status"]
        )
        messages.success(request, _("Evento salvato. Aggiungi le sessioni del programma."))
        return redirect(obj)
    events_url = reverse("participation:event_list")
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "heading": _("Modifica l'evento") if event.pk else _("Nuovo evento"),
            "cancel_url": event.get_absolute_url() if event.pk else events_url,
            "crumbs": [(_("Eventi"), events_url), (event.title or _("Nuovo evento"), "")],
        },
    )


def session_edit(request: HttpRequest, pk: int, session_pk: int | None = None) -> HttpResponse:
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    event = event_policy.get(request.user, pk=pk, write=True)
    session = None
    if session_pk is not None:
        session = event.sessions.filter(pk=session_pk).first()
        if session is None:
            raise Http404
    form = SessionForm(request.POST or None, instance=session, event=event)
    if request.method == "POST" and form.is_valid():
        content_services.content_save(
            instance=form.save(commit=False), by=request.user, fields=form.Meta.fields
        )
        messages.success(request, _("Sessione salvata."))
        return redirect(event)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "heading": _("Modifica la sessione") if session else _("Nuova sessione del programma"),
            "intro": event.title,
            "cancel_url": event.get_absolute_url(),
            "crumbs": [
                (_("Eventi"), reverse("participation:event_list")),
                (event.title, event.get_absolute_url()),
                (session.title if session else _("Nuova sessione"), ""),
            ],
        },
    )


def _staff_event(request: HttpRequest, pk: int) -> Event:
    if not request.user.is_authenticated:
        raise Http404
    return event_policy.get(request.user, pk=pk, write=True)


def event_registrations(request: HttpRequest, pk: int) -> HttpResponse:
    event = _staff_event(request, pk)
    sessions = selectors.sessions_with_counts(event)
    bookings = selectors.bookings_for_export(event)
    session_filter = int_id(request.GET.get("sessione", ""))
    if session_filter:
        bookings = bookings.filter(session_id=session_filter)
    page = Paginator(bookings, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "participation/event_registrations.html",
        {
            "event": event,
            "sessions": sessions,
            "page_obj": page,
            "session_filter": session_filter,
            "seats_chart": [
                {
                    "label": session.title,
                    "value": session.confirmed_count,
                    "total": session.capacity,
                    "display": f"{session.confirmed_count}/{session.capacity}",
                }
                for session in sessions
            ],
            "querystring": page_prefix(request),
        },
    )


def event_export(request: HttpRequest, pk: int) -> HttpResponse:
    event = _staff_event(request, pk)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return spreadsheet_response(
        bookings_dataset(selectors.bookings_for_export(event)),
        requested_format(request),
        filename=f"iscrizioni-evento-{event.pk}-{stamp}",
    )


def event_checkin(request: HttpRequest, pk: int) -> HttpResponse:
    """Phone-friendly page at the door: pick the session, find the person, tap "present"."""
    event = _staff_event(request, pk)
    sessions = selectors.sessions_with_counts(event)
    current = None
    session_id = int_id(request.GET.get("sessione", ""))
    if session_id:
        current = next((s for s in sessions if s.pk == session_id), None)
    if current is None and sessions:
        current = sessions[0]
    bookings = []
    query = request.GET.get("q", "").strip()
    if current is not None:
        qs = (
            current.bookings.filter(status=Booking.Status.CONFIRMED)
            .select_related("registration")
            .order_by("registration__name")
        )
        if query:
            qs = qs.filter(
                Q(registration__name__icontains=query) | Q(registration__email__icontains=query)
            )
        bookings = list(qs[:200])
    return render(
        request,
        "participation/event_checkin.html",
        {
            "event": event,
            "sessions": sessions,
            "current": current,
            "bookings": bookings,
            "query": query,
        },
    )


@require_POST
def booking_attendance(request: HttpRequest, pk: int, booking_pk: int) -> HttpResponse:
    event = _staff_event(request, pk)
    booking = (
        Booking.objects.filter(pk=booking_pk, session__event=event)
        .select_related("registration", "session")
        .first()
    )
    if booking is None:
        raise Http404
    try:
        booking = cancellations.attendance_set(
            booking=booking, by=request.user, present=request.POST.get("present") == "1"
        )
    except ValidationError as exc:
        raise PermissionDenied(exc.messages[0]) from exc
    if request.htmx:
        return render(request, "participation/_checkin_row.html", {"event": event, "b": booking})
    url = (
        reverse("participation:event_checkin", kwargs={"pk": event.pk})
        + f"?sessione={booking.session_id}"
    )
    return redirect(url)


@require_POST
def event_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = _staff_event(request, pk)
    try:
        told = cancellations.event_cancel(
            event=event, by=request.user, reason=posted_text(request.POST.get("reason"))
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(event)
    messages.success(
        request,
        ngettext(
            "Evento annullato: avvisata %(n)d persona iscritta.",
            "Evento annullato: avvisate %(n)d persone iscritte.",
            told,
        )
        % {"n": told},
    )
    return redirect(event)
