from __future__ import annotations

from django.conf import settings
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

from ambito import routing
from ambito.permissions import managed_ambiti
from core import ratelimit
from core.forms import int_id, posted_text
from core.http import page_prefix
from core.permissions import user_passes
from core.spreadsheets import requested_format, spreadsheet_response
from participation import selectors
from participation.forms import EventForm, RegistrationForm, SessionForm
from participation.models import Booking, Event
from participation.permissions import can_manage_content, event_policy
from participation.resources import bookings_dataset
from participation.services import content as content_services
from participation.services import events as services

PAGE_SIZE = 20


def event_list(request: HttpRequest) -> HttpResponse:
    past = request.GET.get("passati") == "1"
    events = routing.scoped(selectors.events_for_user(user=request.user, past=past))
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "participation/event_list.html",
        {"page_obj": page, "past": past, "can_manage": can_manage_content(request.user)},
    )


def _session_status(session) -> str:
    free = session.capacity - session.taken_count
    if free > 0:
        return ngettext(
            "%(free)d posto libero su %(capacity)d", "%(free)d posti liberi su %(capacity)d", free
        ) % {
            "free": free,
            "capacity": session.capacity,
        }
    return _("completa: iscrizione in lista d'attesa (%(n)d in attesa)") % {
        "n": session.waiting_count
    }


def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_policy.get(
        request.user,
        pk=pk,
        queryset=event_policy.visible(request.user).select_related("ambito__lead_comune"),
    )
    sessions = selectors.sessions_with_counts(event)
    status = {s.pk: _session_status(s) for s in sessions}
    initial = {}
    if request.user.is_authenticated:
        initial = {"name": request.user.get_full_name(), "email": request.user.email}
    form = RegistrationForm(
        request.POST or None, event=event, sessions_status=status, initial=initial
    )
    if request.method == "POST":
        if not event.registration_open:
            messages.error(request, _("Le iscrizioni a questo evento sono chiuse."))
            return redirect(event)
        if form.is_valid():
            if not ratelimit.allow(request, action="event_registration"):
                return render(request, "429.html", status=429)
            data = form.cleaned_data
            try:
                if _own_address(request.user, data["email"]):
                    return _register_own(request, event, data)
                # One answer whatever the address's state; the address gets few messages.
                if ratelimit.allow(
                    request, action="event_registration_email", key=data["email"].strip().lower()
                ):
                    services.registration_request(
                        event=event,
                        name=data["name"],
                        email=data["email"],
                        sessions=data["sessions"],
                        privacy_accepted=data["privacy"],
                    )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("participation:registration_requested", pk=event.pk)
    for s in sessions:
        s.status_label = status[s.pk]
        s.is_full = s.taken_count >= s.capacity
    return render(
        request,
        "participation/event_detail.html",
        {
            "event": event,
            "sessions": sessions,
            "form": form,
            "can_change": event_policy.can_change(request.user, event),
            "registration_retention_months": settings.RETENTION_EVENT_REGISTRATIONS_MONTHS,
        },
        status=400 if request.method == "POST" else 200,
    )


def _own_address(user, email: str) -> bool:
    """A logged-in person registering one of their account's verified addresses."""
    if not user.is_authenticated:
        return False
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(
        user=user, email__iexact=email.strip(), verified=True
    ).exists()


def _register_own(request: HttpRequest, event: Event, data: dict) -> HttpResponse:
    """Registering one's own verified address: no confirmation needed, straight to the page of
    the registration."""
    try:
        registration = services.registration_create(
            event=event,
            name=data["name"],
            email=data["email"],
            sessions=data["sessions"],
            privacy_accepted=data["privacy"],
            user=request.user,
            confirmed=True,
        )
    except services.AlreadyRegistered as exc:
        registration = services.registration_confirm(registration=exc.registration)
        messages.info(request, _("Hai già un'iscrizione a questo evento: eccola."))
    else:
        messages.success(
            request,
            _("Iscrizione registrata. Ti abbiamo inviato un'e-mail di conferma con il calendario."),
        )
    return redirect(services.manage_url(registration))


def registration_requested(request: HttpRequest, pk: int) -> HttpResponse:
    """The one answer to a registration request, whatever the state of the address."""
    event = event_policy.get(request.user, pk=pk)
    return render(
        request,
        "participation/registration_requested.html",
        {"event": event, "hold_minutes": settings.EVENT_REGISTRATION_HOLD_MINUTES},
    )


def registration_manage(request: HttpRequest, token: str) -> HttpResponse:
    """The page behind the signed link of the e-mails: confirm the address (a button: mail
    scanners open links, so a GET changes nothing), or say it was not you; see and cancel."""
    registration = services.registration_from_token(token)
    if registration is None:
        raise Http404
    if request.method == "POST":
        if request.POST.get("action") == "confirm":
            services.registration_confirm(registration=registration)
            messages.success(
                request,
                _("Indirizzo confermato: ti abbiamo inviato un'e-mail con il calendario."),
            )
            return redirect(request.path)
        if not registration.is_confirmed:
            services.registration_discard(registration=registration)
            messages.success(
                request,
                _(
                    "Richiesta cancellata: il tuo nome e il tuo indirizzo non sono stati conservati."
                ),
            )
            return redirect(registration.event)
        booking_id = request.POST.get("booking")
        if booking_id:
            booking = registration.bookings.filter(pk=int_id(booking_id) or 0).first()
            if booking is None:
                raise Http404
            services.booking_cancel(booking=booking)
            messages.success(
                request,
                _("Hai annullato la partecipazione alla sessione «%(s)s».")
                % {"s": booking.session.title},
            )
        else:
            services.registration_cancel(registration=registration)
            messages.success(
                request, _("La tua iscrizione è stata annullata. Grazie per averci avvisato.")
            )
        return redirect(request.path)
    bookings = list(
        registration.bookings.select_related("session").order_by(
            "session__starts_at", "session__title"
        )
    )
    for b in bookings:
        if b.status == Booking.Status.WAITING:
            b.position = (
                Booking.objects.filter(session=b.session, status=Booking.Status.WAITING)
                .filter(Q(created_at__lt=b.created_at) | Q(created_at=b.created_at, pk__lt=b.pk))
                .count()
                + 1
            )
    return render(
        request,
        "participation/registration_manage.html",
        {
            "registration": registration,
            "event": registration.event,
            "bookings": bookings,
            "hold_expired": registration.hold_expires_at is not None
            and registration.hold_expires_at <= timezone.now(),
        },
    )


# --- staff ----------------------------------------------------------------------------------
@user_passes(can_manage_content)
def event_create(request: HttpRequest) -> HttpResponse:
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
        booking = services.attendance_set(
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
        told = services.event_cancel(
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


def event_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    """The programme as a calendar file (METHOD:PUBLISH), for anyone who can see the event."""
    from core import ics

    event = event_policy.get(request.user, pk=pk)
    host = settings.SITE_URL.split("://")[-1].split("/")[0]
    items = [
        ics.CalendarEvent(
            uid=f"participation-session-{s.pk}@{host}",
            start=s.starts_at,
            end=s.ends_at,
            summary=f"{event.title} — {s.title}",
            description=s.description,
            location=s.place,
            url=request.build_absolute_uri(event.get_absolute_url()),
            cancelled=event.status == Event.Status.CANCELLED,
            updated=event.updated_at,
        )
        for s in event.sessions.all()
    ]
    response = HttpResponse(
        ics.build(items, method="PUBLISH", name=event.title),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="evento-{event.pk}.ics"'
    return response
