"""participation: a person's proposals, comments, supports, uploaded attachments and event
registrations, in the download and after the account is deleted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from core import audit
from participation.models import (
    Booking,
    Proposal,
    ProposalAttachment,
    ProposalComment,
    ProposalSupport,
    Registration,
)
from tests.factories.core import UserFactory
from tests.factories.participation import (
    BookingFactory,
    EventFactory,
    EventSessionFactory,
    ProposalFactory,
    RegistrationFactory,
)
from tests.factories.processes import PDF_BYTES
from tests.gdpr import audit_mentions, download, erase

pytestmark = pytest.mark.django_db
EMAIL = "giulia.conti@example.org"


def test_contributions_go_proposals_stay_and_seats_are_given_back(
    ambito, table, proposal, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    giulia = UserFactory(email=EMAIL, first_name="Giulia", last_name="Conti")
    own = ProposalFactory(table=table, author=giulia, title="Un doposcuola a Mondolfo")
    attachment = ProposalAttachment(proposal=own, name="progetto.pdf", uploaded_by=giulia)
    attachment.file.save("progetto.pdf", ContentFile(PDF_BYTES), save=False)
    attachment.save()
    comment = ProposalComment.objects.create(
        proposal=proposal, author=giulia, text="Sono d'accordo, abito in via Roma 3."
    )
    ProposalSupport.objects.create(proposal=proposal, user=giulia)
    # an upcoming event: her seat in a full session, someone waiting for it
    session = EventSessionFactory(event=EventFactory(ambito=ambito), capacity=1)
    upcoming = BookingFactory(
        registration=RegistrationFactory(
            event=session.event, user=giulia, email=EMAIL, name="Giulia Conti"
        ),
        session=session,
    ).registration
    waiting = BookingFactory(
        registration=RegistrationFactory(event=session.event, email="in-attesa@example.org"),
        session=session,
        status=Booking.Status.WAITING,
    )
    by_address = RegistrationFactory(  # registered without logging in, with her address
        event=EventFactory(ambito=ambito), email=EMAIL.upper(), name="G. Conti"
    )
    past_start = timezone.now() - timedelta(days=20)
    past = BookingFactory(
        registration=RegistrationFactory(
            event=EventFactory(
                ambito=ambito, starts_at=past_start, ends_at=past_start + timedelta(hours=3)
            ),
            user=giulia,
            email=EMAIL,
            name="Giulia Conti",
        ),
        attended_at=past_start + timedelta(hours=1),
    ).registration
    registered = audit.record(
        actor=giulia, action="participation.registration.created", obj=upcoming, ambito_id=ambito.pk
    )
    assert "Giulia Conti" in registered.object_repr and EMAIL in registered.object_repr

    data = download(giulia)["participation"]
    assert [p["title"] for p in data["proposals"]] == ["Un doposcuola a Mondolfo"]
    assert [c["text"] for c in data["comments"]] == [comment.text]
    assert data["supports"] == [proposal.pk]
    assert sorted(r["name"] for r in data["event_registrations"]) == [
        "G. Conti",
        "Giulia Conti",
        "Giulia Conti",
    ]
    assert [f["name"] for f in data["files_uploaded"]] == ["progetto.pdf"]

    mailoutbox.clear()
    erased = erase(giulia, django_capture_on_commit_callbacks)

    # gone: comments, supports, upcoming registrations (the seat goes to the first waiting)
    assert not ProposalComment.objects.filter(pk=comment.pk).exists()
    assert not ProposalSupport.objects.filter(user=erased).exists()
    assert not Registration.objects.filter(pk__in=[upcoming.pk, by_address.pk]).exists()
    waiting.refresh_from_db()
    assert waiting.status == Booking.Status.CONFIRMED
    assert [m.to for m in mailoutbox] == [["in-attesa@example.org"]], "nothing to her address"
    # kept: her proposal with its attachment (an act the ambito answers), under the pseudonym
    own = Proposal.objects.get(pk=own.pk)
    assert own.author_id == erased.pk
    assert ProposalAttachment.objects.get(pk=attachment.pk).uploaded_by_id == erased.pk
    # kept until the retention period: the past event's attendance, without who she was
    past.refresh_from_db()
    assert (past.name, past.email) == ("Partecipante cancellato", erased.email)
    assert past.bookings.get().attended_at is not None
    assert audit_mentions(EMAIL, "Giulia Conti") == []
    registered.refresh_from_db()
    assert registered.object_repr == f"iscrizione #{upcoming.pk}"
