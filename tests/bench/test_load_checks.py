"""The checks after a load run (bench/load/checks.py): what the server accepted vs the database."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from bench.load.checks import check
from processes.models import ApplicationDocument
from tests.factories.core import UserFactory
from tests.factories.participation import BookingFactory, EventSessionFactory
from tests.factories.processes import ApplicationFactory, ProcedureFactory
from tests.factories.tables import InvitationFactory, MeetingFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(entity, ambito):
    """One of each write, stored as the server would, and the results locust recorded."""
    membership = MembershipFactory(entity=entity, status="requested")
    application = ApplicationFactory(
        procedure=ProcedureFactory(ambito=ambito),
        entity=entity,
        status="submitted",
        submitted_at=timezone.now(),
        protocol_number="X-2026-000001",
        receipt_sent_at=timezone.now(),
    )
    ApplicationDocument.objects.create(
        application=application, title="Statuto", file=ContentFile(b"%PDF-1.4", "s.pdf")
    )
    invitation = InvitationFactory(meeting=MeetingFactory(), response="yes")
    session = EventSessionFactory()
    booking = BookingFactory(session=session, registration__event=session.event)
    user = UserFactory()
    seed = {
        "users": {user.email: {}},
        "tables": [membership.table_id],
        "procedures": [application.procedure_id],
        "meeting": invitation.meeting_id,
        "event": session.event_id,
    }
    results = {
        "signups": [user.email],
        "joins": [[entity.pk, membership.table_id]],
        "applications": [[entity.pk, application.procedure_id]],
        "rsvps": {str(invitation.pk): "yes"},
        "registrations": [booking.registration.email],
    }
    return seed, results, {"membership": membership, "invitation": invitation}


def test_every_accepted_write_stored_once_passes(run):
    seed, results, _rows = run
    report = check(results, seed)
    assert report["problems"] == []
    assert report["counts"] == dict.fromkeys(
        ["signups", "joins", "applications", "rsvps", "registrations"], 1
    )


def test_a_lost_write_a_duplicate_and_a_wrong_answer_are_reported(run):
    seed, results, rows = run
    rows["membership"].delete()  # accepted, then lost
    results["registrations"].append(results["registrations"][0])  # accepted twice, stored once
    results["rsvps"][str(rows["invitation"].pk)] = "no"  # the last answer did not stick
    problems = check(results, seed)["problems"]
    assert any(p.startswith("join requests: 1 accepted but not stored") for p in problems)
    assert any(p.startswith("event registrations: 1 accepted but not stored") for p in problems)
    assert any(p.startswith("RSVP: the last accepted answer") for p in problems)
    assert "no joins at all: the mix did not exercise them" in problems
