"""Cancellations and attendance of public events: a booking or a whole registration cancelled
(the freed seats go to the waiting list), presence marked at the door, an event called off
(everyone registered told, with a calendar cancellation)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, mail
from core.notifications import notify
from participation.models import Booking, Event, EventSession, Registration
from participation.permissions import event_policy
from participation.services.event_messages import _bookings, _calendar, _send
from participation.services.events import _promote_waiting, registration_discard


@transaction.atomic
def booking_cancel(*, booking: Booking, by=None, notify_person: bool = True) -> list[Booking]:
    """Cancel one session of a registration; the freed seat goes to the first on the waiting list."""
    session = (
        EventSession.objects.select_for_update().select_related("event").get(pk=booking.session_id)
    )
    booking = (
        Booking.objects.select_for_update()
        .select_related("registration__event", "session")
        .get(pk=booking.pk)
    )
    if booking.status == Booking.Status.CANCELLED:
        return []
    had_seat = booking.status in (Booking.Status.CONFIRMED, Booking.Status.HELD)
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.save(update_fields=["status", "cancelled_at"])
    audit.record(
        actor=by,
        action="participation.booking.cancelled",
        obj=booking.registration,
        changes={"session": session.title},
        ambito_id=session.event.ambito_id,
    )
    registration = booking.registration
    if not registration.bookings.exclude(status=Booking.Status.CANCELLED).exists():
        registration.cancelled_at = timezone.now()
        registration.save(update_fields=["cancelled_at"])
    if notify_person:
        _send("participation_registration_cancelled", registration, [booking], method="CANCEL")
    return _promote_waiting(session) if had_seat else []


@transaction.atomic
def registration_cancel(*, registration: Registration, by=None) -> list[Booking]:
    """Cancel every session of the registration (the link in the confirmation e-mail). A request
    whose address was never confirmed is discarded instead."""
    if not registration.is_confirmed:
        registration_discard(registration=registration)
        return []
    open_bookings = _bookings(registration)
    promoted: list[Booking] = []
    for b in sorted(open_bookings, key=lambda b: b.session_id):
        promoted += booking_cancel(booking=b, by=by, notify_person=False)
    registration.refresh_from_db()
    if registration.cancelled_at is None:
        registration.cancelled_at = timezone.now()
        registration.save(update_fields=["cancelled_at"])
    if open_bookings:
        _send("participation_registration_cancelled", registration, open_bookings, method="CANCEL")
    return promoted


@transaction.atomic
def attendance_set(*, booking: Booking, by, present: bool) -> Booking:
    """Mark (or unmark) a confirmed person present at the door."""
    booking = (
        Booking.objects.select_for_update()
        .select_related("session__event", "registration")
        .get(pk=booking.pk)
    )
    if not event_policy.can_change(by, booking.session.event):
        raise PermissionDenied
    if booking.status != Booking.Status.CONFIRMED:
        raise ValidationError(
            _("Solo chi ha un posto confermato può essere registrato come presente.")
        )
    booking.attended_at = timezone.now() if present else None
    booking.save(update_fields=["attended_at"])
    audit.record(
        actor=by,
        action="participation.booking.attendance_recorded",
        obj=booking.registration,
        changes={"session": booking.session.title, "present": present},
        ambito_id=booking.session.event.ambito_id,
    )
    return booking


@transaction.atomic
def event_cancel(*, event: Event, by, reason: str) -> int:
    """Cancel a published event: everyone registered gets an e-mail (with the calendar entries
    withdrawn) and, when they have an account, a notification. Returns how many were told."""
    if not event_policy.can_change(by, event):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(
            {"reason": _("Spiega perché l'evento è annullato: lo leggeranno gli iscritti.")}
        )
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status == Event.Status.CANCELLED:
        return 0
    event.status = Event.Status.CANCELLED
    event.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=by,
        action="participation.event.cancelled",
        obj=event,
        reason=reason,
        ambito_id=event.ambito_id,
    )
    # Requests never confirmed go (nobody confirmed those addresses: nobody is told).
    unconfirmed = list(
        event.registrations.filter(confirmed_at__isnull=True).values_list("pk", flat=True)
    )
    Registration.objects.filter(pk__in=unconfirmed).delete()
    audit.forget_descriptions(Registration, unconfirmed)
    registrations = list(
        event.registrations.filter(cancelled_at__isnull=True)
        .select_related("user")
        .prefetch_related("bookings__session")
    )
    emails = []
    for registration in registrations:
        bookings = [b for b in registration.bookings.all() if b.status != Booking.Status.CANCELLED]
        confirmed = [b for b in bookings if b.status == Booking.Status.CONFIRMED]
        emails.append(
            mail.build(
                "participation_event_cancelled",
                {
                    "registration": registration,
                    "event": event,
                    "reason": reason,
                    "bookings": bookings,
                },
                to=registration.email,
                attachments=[_calendar(registration, confirmed, method="CANCEL")]
                if confirmed
                else [],
                ambito_id=event.ambito_id,
            )
        )
    mail.enqueue_many(emails)
    notify(
        ambito_id=event.ambito_id,
        users=[r.user for r in registrations if r.user_id],
        kind="participation.event_cancelled",
        title=_("Evento annullato: %(title)s") % {"title": event.title},
        url=event.get_absolute_url(),
        body=reason,
    )
    return len(registrations)
