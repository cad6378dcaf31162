"""In co-progettazione the admitted entities work at a table reserved to the procedure: seen, with
its meetings and minutes, only by its members, the RUP and the ambito's staff, until the outcome
(the approved progetto definitivo) is published; the excluded competitors stay out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from processes import services
from processes.models import ApplicationStatus, CommissionMember, Procedure, Score
from tables import services as table_services
from tables.models import Meeting, Table, TableMembership
from tests.factories.processes import (
    ApplicationFactory,
    CriterionFactory,
    NoticeFactory,
    ProcedureFactory,
)
from tests.factories.tables import MeetingFactory, MembershipFactory, MinutesFactory
from tests.processes.conftest import pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def admitted(
    ambito,
    table,
    staff_user,
    entity,
    entity_admin,
    entity_delegate,
    other_entity,
    other_entity_admin,
    operator_user,
):
    """A co-progettazione whose ranking is published: `entity` admitted, `other_entity` excluded
    (it sits at the procedure's open thematic `table`)."""
    now = timezone.now()
    procedure = ProcedureFactory(
        ambito=ambito, status="evaluation", rup=operator_user, title="Domiciliarità"
    )
    procedure.tables.add(table)
    notice = NoticeFactory(
        procedure=procedure,
        deadline=now - timedelta(days=10),
        published_at=now - timedelta(days=40),
    )
    criterion = CriterionFactory(notice=notice, name="Qualità", weight=100)
    winner = ApplicationFactory(
        procedure=procedure,
        entity=entity,
        status=ApplicationStatus.ADMITTED,
        submitted_at=now - timedelta(days=20),
        submitted_by=entity_delegate,
    )
    ApplicationFactory(
        procedure=procedure,
        entity=other_entity,
        status=ApplicationStatus.NOT_ADMITTED,
        submitted_at=now - timedelta(days=20),
        submitted_by=other_entity_admin,
    )
    MembershipFactory(table=table, entity=other_entity, delegate=other_entity_admin)
    member = CommissionMember.objects.create(
        procedure=procedure, user=staff_user, role="president", declared_at=now
    )
    Score.objects.create(application=winner, criterion=criterion, member=member, value=9)
    services.procedure_transition(procedure=procedure, target="ranking_published", actor=staff_user)
    return Procedure.objects.get(pk=procedure.pk)


def test_admission_seats_the_admitted_at_a_table_reserved_to_the_procedure(
    admitted, table, entity, other_entity, entity_delegate, operator_user
):
    reserved = admitted.reserved_table
    assert reserved is not None and reserved != table
    assert reserved.reserved and not reserved.is_open and reserved.disclosed_at is None
    assert reserved.ambito_id == admitted.ambito_id and admitted.title in reserved.name
    assert list(reserved.coordinators.all()) == [operator_user]  # the RUP
    seat = TableMembership.objects.get(table=reserved)
    assert seat.entity == entity and seat.delegate == entity_delegate and seat.status == "active"
    # the open thematic table is left as it was: the excluded competitor there, no new seat
    assert {m.entity for m in table.memberships.all()} == {other_entity}


@pytest.fixture
def reserved_records(admitted, staff_user):
    reserved = admitted.reserved_table
    start = timezone.now() - timedelta(days=3)
    past = MeetingFactory(
        table=reserved,
        title="Prima sessione di co-progettazione",
        status=Meeting.Status.CONVENED,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )
    # approved through the service: its record is frozen as version 1
    table_services.minutes_approve(minutes=MinutesFactory(meeting=past), actor=staff_user)
    upcoming = MeetingFactory(
        table=reserved, title="Seconda sessione", status=Meeting.Status.CONVENED
    )
    return reserved, past, upcoming


PEOPLE = {  # fixture -> sees the reserved table before the outcome
    None: False,
    "no_role_user": False,
    "other_entity_admin": False,  # the excluded competitor
    "other_staff": False,
    "entity_admin": True,
    "entity_delegate": True,
    "operator_user": True,  # the RUP
    "comune_user": True,
    "staff_user": True,
    "superuser": True,
}


@pytest.mark.parametrize("who", list(PEOPLE), ids=[str(k) for k in PEOPLE])
def test_the_reserved_table_is_seen_only_by_its_people(
    request, who, client_for, admitted, reserved_records
):
    reserved, past, upcoming = reserved_records
    user = request.getfixturevalue(who) if who else None
    c = client_for(user)
    expected = 200 if PEOPLE[who] else 404
    for url in (
        reverse("tables:detail", args=[reserved.pk]),
        reverse("tables:table_feed", args=[reserved.pk]),
        reverse("tables:meeting_detail", args=[past.pk]),
        reverse("tables:meeting_ics", args=[upcoming.pk]),
        reverse("tables:minutes_detail", args=[past.pk]),
    ):
        assert c.get(url).status_code == expected, url
    procedure_page = c.get(admitted.get_absolute_url()).content.decode()
    assert ("Prima sessione di co-progettazione" in procedure_page) is PEOPLE[who]
    assert (reserved.get_absolute_url() in procedure_page) is PEOPLE[who]
    lists = c.get(reverse("tables:list")).content.decode() + c.get("/").content.decode()
    assert reserved.name not in lists and "Seconda sessione" not in lists


def test_a_member_cannot_open_the_reserved_table_to_requests(client_for, admitted, entity_admin):
    reserved = admitted.reserved_table
    response = client_for(entity_admin).get(reverse("tables:join", args=[reserved.pk]))
    assert response.status_code == 403


def test_the_records_become_public_with_the_outcome(
    client, admitted, reserved_records, staff_user, other_entity_admin, client_for
):
    reserved, past, _upcoming = reserved_records
    services.procedure_transition(procedure=admitted, target="codesign", actor=staff_user)
    for kind, target in (("final_project", "final_project"), ("approval", "approved")):
        services.outcome_document_add(
            procedure=admitted, actor=staff_user, data={"kind": kind, "title": kind}, file=pdf()
        )
        if target == "approved":  # not before: the outcome is the approved project
            assert client.get(reverse("tables:detail", args=[reserved.pk])).status_code == 404
        services.procedure_transition(procedure=admitted, target=target, actor=staff_user)
    reserved.refresh_from_db()
    assert reserved.disclosed_at is not None and not reserved.is_private
    for c in (client, client_for(other_entity_admin)):
        assert c.get(reverse("tables:detail", args=[reserved.pk])).status_code == 200
        assert c.get(reverse("tables:minutes_detail", args=[past.pk])).status_code == 200
    # public now, but still closed to new members
    assert (
        client_for(other_entity_admin).get(reverse("tables:join", args=[reserved.pk])).status_code
        == 403
    )


def test_a_cancelled_procedure_discloses_its_reserved_table(admitted, staff_user):
    services.procedure_cancel(procedure=admitted, actor=staff_user, reason="Fondi revocati")
    assert Table.objects.get(pk=admitted.reserved_table_id).disclosed_at is not None
