"""Personal data of participation's events: a deleted account's registrations, and the
registrations of past events once their retention period ends."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import audit
from core.retention import months_before
from participation.models import Booking, Event, Registration
from participation.services.cancellations import booking_cancel


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
            for booking in registration.bookings.exclude(status=Booking.Status.CANCELLED).order_by(
                "session_id"
            ):
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
    cutoff = months_before(now, settings.RETENTION_EVENT_REGISTRATIONS_MONTHS)
    deleted = 0
    for event in Event.objects.filter(ends_at__lt=cutoff, registrations__isnull=False).distinct():
        ids = list(event.registrations.values_list("pk", flat=True))
        Registration.objects.filter(pk__in=ids).delete()
        audit.forget_descriptions(Registration, ids)
        audit.record(
            actor=None,
            action="participation.registration.purged",
            obj=event,
            changes={"deleted": len(ids)},
            ambito_id=event.ambito_id,
        )
        deleted += len(ids)
    return deleted
