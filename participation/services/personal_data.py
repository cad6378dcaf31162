"""Personal data in participation: what a person downloads (GDPR art. 15/20), what goes when
the account is deleted (art. 17), and the registrations of past events once their retention
period ends."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from core import audit
from core.retention import months_before
from participation.models import (
    Booking,
    Event,
    Proposal,
    ProposalAttachment,
    ProposalComment,
    ProposalSupport,
    Registration,
)
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


def personal_data_export(user) -> dict:
    return {
        "proposals": [
            {
                "title": p.title,
                "text": p.text,
                "status": p.status,
                "created_at": p.created_at.isoformat(),
            }
            for p in Proposal.objects.filter(author=user)
        ],
        "comments": list(user.proposal_comments.values("proposal_id", "text", "created_at")),
        "supports": list(user.proposal_supports.values_list("proposal_id", flat=True)),
        "files_uploaded": list(
            ProposalAttachment.objects.filter(uploaded_by=user).values(
                "name", "size", "proposal__title", created_at=F("uploaded_at")
            )
        ),
        "event_registrations": [
            {
                "event": r.event.title,
                "name": r.name,
                "email": r.email,
                "created_at": r.created_at.isoformat(),
                "cancelled_at": r.cancelled_at.isoformat() if r.cancelled_at else None,
                "sessions": [
                    {
                        "session": b.session.title,
                        "status": b.status,
                        "attended": bool(b.attended_at),
                    }
                    for b in r.bookings.all()
                ],
            }
            for r in Registration.objects.filter(Q(user=user) | Q(email__iexact=user.email))
            .select_related("event")
            .prefetch_related("bookings__session")
        ],
    }


def personal_data_erase(user) -> list:
    """Account deletion. Comments and supports are the person's own voice, not acts: they go.
    Proposals stay, with their attachments (an act the ambito answers: GDPR art. 17(3)(b)), by
    the pseudonymous row. Event registrations: see registrations_erase. Returns the rows whose
    description named the person (for the audit trail)."""
    named = [
        *ProposalComment.objects.filter(author=user),
        *ProposalSupport.objects.filter(user=user),
    ]
    ProposalComment.objects.filter(author=user).delete()
    ProposalSupport.objects.filter(user=user).delete()
    return [*named, *registrations_erase(user=user)]
