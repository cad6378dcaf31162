from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ambito import routing
from core import ratelimit
from core.forms import int_id
from participation import selectors
from participation.forms import RegistrationForm
from participation.models import Booking, Event
from participation.permissions import can_manage_content, event_policy
from participation.services import cancellations
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
            cancellations.booking_cancel(booking=booking)
            messages.success(
                request,
                _("Hai annullato la partecipazione alla sessione «%(s)s».")
                % {"s": booking.session.title},
            )
        else:
            cancellations.registration_cancel(registration=registration)
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
