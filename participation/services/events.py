"""Public events: registration without an account, seats and waiting lists per session,
cancellation by signed link, attendance at the door.

Capacity is guarded by locking the session row (SELECT ... FOR UPDATE on PostgreSQL) before the
seats are counted: two simultaneous registrations for the last seat are served one after the
other, and the second goes to the waiting list."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, ics, mail
from core.notifications import notify
from participation.models import Booking, Event, EventSession, Registration
from participation.permissions import event_policy


class AlreadyRegistered(Exception):
    """The address is already registered to the event; the confirmation was sent again."""

    def __init__(self, registration: Registration):
        super().__init__(registration.pk)
        self.registration = registration


TOKEN_SALT = "participation.registration"  # noqa: S105 - a signing salt, not a secret


# --- signed links ---------------------------------------------------------------------------
def registration_token(registration: Registration) -> str:
    return signing.dumps({"r": registration.pk, "e": registration.email.lower()}, salt=TOKEN_SALT)


def registration_from_token(token: str) -> Registration | None:
    try:
        data = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        return None
    registration = Registration.objects.select_related("event").filter(pk=data.get("r")).first()
    if registration is None or registration.email.lower() != data.get("e"):
        return None
    return registration


def manage_url(registration: Registration) -> str:
    return reverse(
        "participation:registration_manage", kwargs={"token": registration_token(registration)}
    )


# --- e-mails --------------------------------------------------------------------------------
def _calendar(
    registration: Registration, bookings: Iterable[Booking], *, method: str = "REQUEST"
) -> mail.Attachment:
    host = settings.SITE_URL.split("://")[-1].split("/")[0]
    event = registration.event
    items = [
        ics.CalendarEvent(
            uid=f"participation-booking-{b.session_id}-{registration.pk}@{host}",
            start=b.session.starts_at,
            end=b.session.ends_at,
            summary=f"{event.title} — {b.session.title}",
            description=b.session.description,
            location=b.session.place,
            url=settings.SITE_URL + event.get_absolute_url(),
            cancelled=method == "CANCEL",
            sequence=1 if method == "CANCEL" else 0,
        )
        for b in bookings
    ]
    return mail.Attachment(
        "evento.ics", ics.build(items, method=method, name=event.title), "text/calendar"
    )


def _bookings(registration: Registration, status: str | None = None) -> list[Booking]:
    qs = registration.bookings.select_related("session").order_by(
        "session__starts_at", "session__title"
    )
    return list(qs.filter(status=status) if status else qs.exclude(status=Booking.Status.CANCELLED))


def _send(
    template: str, registration: Registration, bookings: list[Booking], *, method: str = "REQUEST"
) -> None:
    confirmed = (
        [b for b in bookings if b.status == Booking.Status.CONFIRMED]
        if method != "CANCEL"
        else bookings
    )
    attachments = [_calendar(registration, confirmed, method=method)] if confirmed else []
    mail.enqueue(
        template,
        {
            "registration": registration,
            "event": registration.event,
            "bookings": bookings,
            "manage_url": manage_url(registration),
        },
        to=registration.email,
        attachments=attachments,
        ambito_id=registration.event.ambito_id,
    )


# --- registration ---------------------------------------------------------------------------
def _seat_or_wait(session: EventSession) -> str:
    """Call with the session row locked."""
    taken = Booking.objects.filter(session=session, status=Booking.Status.CONFIRMED).count()
    return Booking.Status.CONFIRMED if taken < session.capacity else Booking.Status.WAITING


@transaction.atomic
def registration_create(
    *,
    event: Event,
    name: str,
    email: str,
    sessions: Iterable[EventSession],
    privacy_accepted: bool,
    user=None,
) -> Registration:
    if not event.registration_open:
        raise ValidationError(_("Le iscrizioni a questo evento sono chiuse."))
    if not privacy_accepted:
        raise ValidationError(
            {"privacy": _("Per iscriverti devi prendere visione dell'informativa sulla privacy.")}
        )
    session_ids = sorted({s.pk for s in sessions})
    if not session_ids:
        raise ValidationError({"sessions": _("Scegli almeno una sessione.")})
    email = email.strip()
    existing = Registration.objects.filter(
        event=event, email__iexact=email, cancelled_at__isnull=True
    ).first()
    if existing is not None:
        raise AlreadyRegistered(existing)
    # Lock the chosen sessions in a fixed order (by id) so that concurrent registrations never deadlock.
    locked = list(
        EventSession.objects.select_for_update()
        .filter(event=event, pk__in=session_ids)
        .order_by("pk")
    )
    if len(locked) != len(session_ids):
        raise ValidationError(
            {"sessions": _("Una delle sessioni scelte non appartiene a questo evento.")}
        )
    registration = Registration(
        event=event, name=name.strip(), email=email, user=user, privacy_accepted_at=timezone.now()
    )
    registration.full_clean()
    registration.save()
    # Each seat is counted and taken while its session row is locked (until commit).
    bookings = []
    for s in locked:
        booking = Booking(registration=registration, session=s, status=_seat_or_wait(s))
        booking.save()
        bookings.append(booking)
    audit.record(
        actor=user,
        action="participation.registration.create",
        obj=registration,
        changes={b.session.title: b.status for b in bookings},
        ambito_id=event.ambito_id,
    )
    _send("participation_registration", registration, _bookings(registration))
    return registration


@transaction.atomic
def registration_resend(*, registration: Registration) -> None:
    """Send the confirmation (with the signed link) again to the registered address. Used when
    someone registers an address twice: the page says nothing about who is registered."""
    _send("participation_registration", registration, _bookings(registration))


def _promote_waiting(session: EventSession) -> list[Booking]:
    """Give freed seats to the first on the waiting list. Call with the session row locked."""
    promoted = []
    free = (
        session.capacity
        - Booking.objects.filter(session=session, status=Booking.Status.CONFIRMED).count()
    )
    if free <= 0:
        return promoted
    waiting = list(
        Booking.objects.filter(session=session, status=Booking.Status.WAITING)
        .select_related("registration__event", "registration__user", "session")
        .order_by("created_at", "id")[:free]
    )
    now = timezone.now()
    for b in waiting:
        b.status = Booking.Status.CONFIRMED
        b.promoted_at = now
        b.save(update_fields=["status", "promoted_at"])
        promoted.append(b)
        audit.record(
            actor=None,
            action="participation.booking.promote",
            obj=b.registration,
            changes={"session": session.title},
            ambito_id=session.event.ambito_id,
        )
        mail.enqueue(
            "participation_promoted",
            {
                "registration": b.registration,
                "event": b.registration.event,
                "booking": b,
                "manage_url": manage_url(b.registration),
            },
            to=b.registration.email,
            attachments=[_calendar(b.registration, [b])],
            ambito_id=session.event.ambito_id,
        )
        if b.registration.user_id:
            notify(
                ambito_id=session.event.ambito_id,
                users=[b.registration.user],
                kind="participation.waiting_list_promoted",
                title=_("Si è liberato un posto: sei iscritto a «%(session)s»")
                % {"session": session.title},
                url=b.registration.event.get_absolute_url(),
            )
    return promoted


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
    was_confirmed = booking.status == Booking.Status.CONFIRMED
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.save(update_fields=["status", "cancelled_at"])
    audit.record(
        actor=by,
        action="participation.booking.cancel",
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
    return _promote_waiting(session) if was_confirmed else []


@transaction.atomic
def registration_cancel(*, registration: Registration, by=None) -> list[Booking]:
    """Cancel every session of the registration (the link in the confirmation e-mail)."""
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
        action="participation.booking.attendance",
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
        action="participation.event.cancel",
        obj=event,
        reason=reason,
        ambito_id=event.ambito_id,
    )
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


@transaction.atomic
def registrations_erase(*, user) -> list[Registration]:
    """Account deletion: the person's registrations (by account or by address). For events still
    to come their seats are given back, to the first on the waiting list, without writing to the
    person, and the registrations go; those of past events keep the attendance, for the event's
    figures, under a pseudonym until the retention period deletes them. Returns them all."""
    now = timezone.now()
    registrations = list(
        Registration.objects.filter(Q(user=user) | Q(email__iexact=user.email)).select_related(
            "event"
        )
    )
    for registration in registrations:
        if registration.event.ends_at >= now:
            for booking in _bookings(registration):
                booking_cancel(booking=booking, notify_person=False)
            # by its key: the instance keeps its id for the audit trail
            Registration.objects.filter(pk=registration.pk).delete()
    Registration.objects.filter(pk__in=[r.pk for r in registrations]).update(
        name="Partecipante cancellato", email=user.pseudonymous_email
    )
    return registrations


def registrations_purge(now) -> int:
    """Delete the registrations (names, e-mails, attendance) of the events that ended more than
    RETENTION_EVENT_REGISTRATIONS_MONTHS ago, as the registration form and the privacy page
    state (a retention rule: core.retention). The audit trail keeps, per event, how many went;
    its events about each registration no longer name the person. Returns how many went."""
    from django.conf import settings

    from core.retention import months_before

    cutoff = months_before(now, settings.RETENTION_EVENT_REGISTRATIONS_MONTHS)
    deleted = 0
    for event in Event.objects.filter(ends_at__lt=cutoff, registrations__isnull=False).distinct():
        ids = list(event.registrations.values_list("pk", flat=True))
        Registration.objects.filter(pk__in=ids).delete()
        audit.forget_descriptions(Registration, ids)
        audit.record(
            actor=None,
            action="participation.registrations.purge",
            obj=event,
            changes={"deleted": len(ids)},
            ambito_id=event.ambito_id,
        )
        deleted += len(ids)
    return deleted
