"""tables: a person's seats, coordinations, invitations with their RSVP and attendance, and
observations on minutes, in the download and after the account is deleted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core import audit
from tables.models import Invitation, Minutes, MinutesComment, Table, TableMembership
from tests.factories.core import UserFactory
from tests.factories.tables import (
    InvitationFactory,
    MeetingFactory,
    MembershipFactory,
    MinutesFactory,
    TableFactory,
)
from tests.gdpr import audit_mentions, download, erase

pytestmark = pytest.mark.django_db
EMAIL = "marco.galli@example.org"


def _past(table, days):
    start = timezone.now() - timedelta(days=days)
    return MeetingFactory(
        table=table, starts_at=start, ends_at=start + timedelta(hours=2), status="convened"
    )


def test_seats_invitations_and_observations_erased_or_kept_as_records(
    ambito, entity, staff_user, django_capture_on_commit_callbacks
):
    marco = UserFactory(email=EMAIL, first_name="Marco", last_name="Galli")
    table = TableFactory(ambito=ambito, name="Tavolo Inclusione")
    coordinated = TableFactory(ambito=ambito, name="Tavolo Famiglia")
    coordinated.coordinators.add(marco)
    substitute = UserFactory()
    entity_seat = MembershipFactory(
        table=table, entity=entity, delegate=marco, substitute=substitute
    )
    expert_seat = MembershipFactory(table=coordinated, kind="expert", entity=None, delegate=marco)
    upcoming = MeetingFactory(table=table, status="convened")
    rsvp = InvitationFactory(
        meeting=upcoming,
        user=marco,
        email=EMAIL,
        name="Marco Galli",
        response="yes",
        responded_at=timezone.now(),
    )
    approved_meeting = _past(table, 40)
    MinutesFactory(
        meeting=approved_meeting,
        status=Minutes.Status.APPROVED,
        approved_at=timezone.now() - timedelta(days=30),
    )
    in_approved = InvitationFactory(
        meeting=approved_meeting, user=marco, email=EMAIL, name="Marco Galli", attendance="present"
    )
    held = _past(table, 3)
    draft_minutes = MinutesFactory(meeting=held, status=Minutes.Status.SHARED)
    in_held = InvitationFactory(
        meeting=held,
        user=marco,
        email=EMAIL,
        name="Marco Galli",
        attendance="justified",
        attendance_note="Impegno di lavoro",
    )
    only_invited = InvitationFactory(
        meeting=_past(table, 10), email=EMAIL.upper(), name="Marco Galli", response="no"
    )
    observation = MinutesComment.objects.create(
        minutes=draft_minutes, author=marco, body="Al punto 2 manca la mia proposta."
    )
    seat_event = audit.record(
        actor=staff_user,
        action="tables.member_added",
        obj=expert_seat,
        changes={"delegate": marco},
        ambito_id=ambito.pk,
    )
    assert "Marco Galli" in seat_event.object_repr

    data = download(marco)["tables"]
    assert sorted((s["table"], s["kind"]) for s in data["seats"]) == [
        ("Tavolo Famiglia", "expert"),
        ("Tavolo Inclusione", "entity"),
    ]
    assert data["coordinated_tables"] == ["Tavolo Famiglia"]
    assert sorted(
        (i["meeting"], i["response"], i["attendance"]) for i in data["invitations"]
    ) == sorted(
        (str(i.meeting), i.response, i.attendance)
        for i in (rsvp, in_approved, in_held, only_invited)
    )
    assert [o["text"] for o in data["minutes_observations"]] == [observation.body]

    erased = erase(marco, django_capture_on_commit_callbacks)

    # gone: the upcoming invitation with its RSVP, the invitation that recorded nothing,
    # the coordination; the entity keeps its seat through its substitute
    assert not Invitation.objects.filter(pk__in=[rsvp.pk, only_invited.pk]).exists()
    assert not Table.coordinators.through.objects.filter(user_id=marco.pk).exists()
    entity_seat.refresh_from_db()
    assert (entity_seat.status, entity_seat.delegate_id, entity_seat.substitute_id) == (
        "active",
        substitute.pk,
        None,
    )
    expert_seat.refresh_from_db()
    assert expert_seat.status == TableMembership.Status.LEFT
    assert expert_seat.delegate_id == erased.pk
    # kept: the attendance register. In approved minutes (an official act) as they were
    # approved; otherwise under the pseudonym. The address goes from both.
    in_approved.refresh_from_db()
    assert (in_approved.name, in_approved.email, in_approved.attendance) == (
        "Marco Galli",
        erased.email,
        "present",
    )
    in_held.refresh_from_db()
    assert (in_held.name, in_held.email, in_held.attendance, in_held.attendance_note) == (
        "Utente cancellato",
        erased.email,
        "justified",
        "",
    )
    observation.refresh_from_db()
    assert observation.author_id == erased.pk and observation.body.startswith("Al punto 2")
    assert audit_mentions(EMAIL) == []
    seat_event.refresh_from_db()
    assert seat_event.object_repr == f"partecipazione al tavolo #{expert_seat.pk}"
    assert "Marco Galli" not in str(seat_event.changes)
