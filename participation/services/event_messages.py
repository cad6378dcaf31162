"""Messages of event registrations: the signed link that lets a person manage a registration
without an account, and the e-mails (with their calendar files) that confirm, cancel or ask to
confirm it."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core import signing
from django.urls import reverse

from core import ics, mail
from participation.models import Booking, Registration

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
