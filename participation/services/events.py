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
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, mail
from core.notifications import notify
from participation.models import Booking, Event, EventSession, Registration
from participation.services.event_messages import (  # noqa: F401 - the signed links, read by views
    _bookings,
    _calendar,
    _send,
    _send_request,
    manage_url,
    registration_from_token,
    registration_token,
)


class AlreadyRegistered(Exception):
    """The address is already registered to the event; the confirmation was sent again."""

    def __init__(self, registration: Registration):
        super().__init__(registration.pk)
        self.registration = registration


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
    promoted: list[Booking] = []
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
