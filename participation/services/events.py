"""Public events: registration without an account, seats and waiting lists per session,
cancellation by signed link, attendance at the door.

Whoever registers an address that is not their own account's confirms it first: the request
holds the seats for EVENT_REGISTRATION_HOLD_MINUTES and sends the signed link; the seats are
confirmed from the page behind it, and a request never confirmed is deleted when its hold ends
(registrations_expire, celery beat), its seats going to the waiting list. Whatever the address's
state, the request is answered alike (registration_request); the views limit how often.

Capacity is guarded by locking the session rows (SELECT ... FOR UPDATE on PostgreSQL, always in
the order of their ids) before the seats are counted: two simultaneous registrations for the
last seat are served one after the other, and the second goes to the waiting list. Held seats
count while their hold lasts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

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


def _send_request(registration: Registration) -> None:
    """The e-mail asking to confirm the address: the places kept, until when, the link."""
    mail.enqueue(
        "participation_registration_confirm",
        {
            "registration": registration,
            "event": registration.event,
            "bookings": _bookings(registration),
            "manage_url": manage_url(registration),
        },
        to=registration.email,
        ambito_id=registration.event.ambito_id,
    )


# --- registration ---------------------------------------------------------------------------
def _seats_taken(session: EventSession, *, excluding: Booking | None = None) -> int:
    """Confirmed seats, and held ones whose hold lasts."""
    taken = Booking.objects.filter(session=session).filter(
        Q(status=Booking.Status.CONFIRMED)
        | Q(status=Booking.Status.HELD, registration__hold_expires_at__gt=timezone.now())
    )
    if excluding is not None:
        taken = taken.exclude(pk=excluding.pk)
    return taken.count()


def _seat_or_wait(session: EventSession) -> str:
    """Call with the session row locked: CONFIRMED when a seat is free, else WAITING."""
    free = _seats_taken(session) < session.capacity
    return Booking.Status.CONFIRMED if free else Booking.Status.WAITING


def _lock_sessions(session_ids) -> list[EventSession]:
    """Lock sessions in a fixed order (by id), so that concurrent registrations never deadlock."""
    return list(
        EventSession.objects.select_for_update().filter(pk__in=set(session_ids)).order_by("pk")
    )


@transaction.atomic
def registration_create(
    *,
    event: Event,
    name: str,
    email: str,
    sessions: Iterable[EventSession],
    privacy_accepted: bool,
    user=None,
    confirmed: bool = False,
) -> Registration:
    """Register `email`. `confirmed`: the address is known to be the person's (their account's,
    verified, registering while logged in): seats are confirmed at once and the e-mail with the
    calendar goes. Otherwise seats are held until the address is confirmed (registration_confirm)
    and the e-mail asks to confirm it. Raises AlreadyRegistered for an address already in."""
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
    locked = list(
        EventSession.objects.select_for_update()
        .filter(event=event, pk__in=session_ids)
        .order_by("pk")
    )
    if len(locked) != len(session_ids):
        raise ValidationError(
            {"sessions": _("Una delle sessioni scelte non appartiene a questo evento.")}
        )
    now = timezone.now()
    registration = Registration(
        event=event,
        name=name.strip(),
        email=email,
        user=user,
        privacy_accepted_at=now,
        confirmed_at=now if confirmed else None,
        hold_expires_at=None
        if confirmed
        else now + timedelta(minutes=settings.EVENT_REGISTRATION_HOLD_MINUTES),
    )
    registration.full_clean()
    registration.save()
    # Each seat is counted and taken while its session row is locked (until commit).
    bookings = []
    for s in locked:
        status = _seat_or_wait(s)
        if status == Booking.Status.CONFIRMED and not confirmed:
            status = Booking.Status.HELD
        booking = Booking(registration=registration, session=s, status=status)
        booking.save()
        bookings.append(booking)
    audit.record(
        actor=user,
        action="participation.registration.created",
        obj=registration,
        changes={b.session.title: b.status for b in bookings},
        ambito_id=event.ambito_id,
    )
    if confirmed:
        _send("participation_registration", registration, _bookings(registration))
    else:
        _send_request(registration)
    return registration


@transaction.atomic
def registration_request(
    *, event: Event, name: str, email: str, sessions: Iterable[EventSession], privacy_accepted: bool
) -> None:
    """Someone asks to register an address, which may not be theirs. Whatever its state, the
    answer is the same and the address gets one e-mail, which tells its owner alone: a new
    request holds the seats and asks to confirm; one still unconfirmed asks again; a confirmed
    registration gets its link again."""
    try:
        registration_create(
            event=event,
            name=name,
            email=email,
            sessions=sessions,
            privacy_accepted=privacy_accepted,
        )
    except AlreadyRegistered as exc:
        registration_resend(registration=exc.registration)


@transaction.atomic
def registration_resend(*, registration: Registration) -> None:
    """Send the e-mail with the signed link again to the registered address: the confirmation
    with the calendar, or, for an address not confirmed yet, the request to confirm it."""
    if registration.is_confirmed:
        _send("participation_registration", registration, _bookings(registration))
    else:
        _send_request(registration)


@transaction.atomic
def registration_confirm(*, registration: Registration) -> Registration:
    """The person confirmed the address from the link. Held seats become confirmed; a hold that
    ran out is confirmed if its seat is still free, otherwise the place joins the waiting list (in
    the order of the request). Seats freed meanwhile go to the waiting list, this person's
    included. Then the e-mail with the calendar goes. Idempotent."""
    sessions = _lock_sessions(registration.bookings.values_list("session_id", flat=True))
    registration = (
        Registration.objects.select_for_update().select_related("event").get(pk=registration.pk)
    )
    if registration.is_confirmed or registration.cancelled_at:
        return registration
    by_session = {s.pk: s for s in sessions}
    for booking in registration.bookings.filter(status=Booking.Status.HELD):
        session = by_session[booking.session_id]
        free = _seats_taken(session, excluding=booking) < session.capacity
        booking.status = Booking.Status.CONFIRMED if free else Booking.Status.WAITING
        booking.save(update_fields=["status"])
    registration.confirmed_at = timezone.now()
    registration.hold_expires_at = None
    registration.save(update_fields=["confirmed_at", "hold_expires_at"])
    audit.record(
        actor=None,
        action="participation.registration.confirmed",
        obj=registration,
        changes={b.session.title: b.status for b in _bookings(registration)},
        ambito_id=registration.event.ambito_id,
    )
    for session in sessions:
        _promote_waiting(session, quiet_for=registration.pk)
    _send("participation_registration", registration, _bookings(registration))
    return registration


def _discard(registration: Registration, *, action: str, expired_before=None) -> bool:
    """Call in a transaction. Delete an unconfirmed registration and all it holds (name, address:
    nobody confirmed them); its seats go to the waiting list. With `expired_before`, only if its
    hold ended before then. Returns whether it went."""
    sessions = _lock_sessions(registration.bookings.values_list("session_id", flat=True))
    current = (
        Registration.objects.select_for_update()
        .select_related("event")
        .filter(pk=registration.pk, confirmed_at__isnull=True)
        .first()
    )
    if current is None or (
        expired_before is not None
        and (current.hold_expires_at is None or current.hold_expires_at >= expired_before)
    ):
        return False
    Registration.objects.filter(pk=current.pk).delete()
    audit.forget_descriptions(Registration, [current.pk])
    audit.record(
        actor=None,
        action=action,
        obj=current.event,
        changes={"registration": current.pk},
        ambito_id=current.event.ambito_id,
    )
    for session in sessions:
        _promote_waiting(session)
    return True


@transaction.atomic
def registration_discard(*, registration: Registration) -> bool:
    """The owner of the address did not ask for this ("Non sono stato io"): the request goes."""
    return _discard(registration, action="participation.registration.discarded")


def registrations_expire(*, now=None) -> int:
    """Delete the requests whose address was not confirmed before their hold ended; their seats
    go to the waiting list (celery beat, every two minutes). Idempotent."""
    now = now or timezone.now()
    expired = Registration.objects.filter(confirmed_at__isnull=True, hold_expires_at__lt=now)
    done = 0
    for registration in list(expired.order_by("pk")[:1000]):
        with transaction.atomic():
            done += _discard(
                registration, action="participation.registration.expired", expired_before=now
            )
    return done


def _promote_waiting(session: EventSession, *, quiet_for: int | None = None) -> list[Booking]:
    """Give freed seats to the first on the waiting list whose address is confirmed, and write to
    them (not to registration `quiet_for`, which is told otherwise). Call with the session row
    locked."""
    promoted = []
    free = session.capacity - _seats_taken(session)
    if free <= 0:
        return promoted
    waiting = list(
        Booking.objects.filter(
            session=session,
            status=Booking.Status.WAITING,
            registration__confirmed_at__isnull=False,
        )
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
            action="participation.booking.promoted",
            obj=b.registration,
            changes={"session": session.title},
            ambito_id=session.event.ambito_id,
        )
        if b.registration_id == quiet_for:
            continue
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
                title=_("Si è liberato un posto: la tua iscrizione a «%(session)s» è confermata")
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
