"""The plan's participation chapter opens with the participation analytics of the plan's years:
entities, meetings, attendance rate, proposals answered (on the page and in the PDF)."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from participation.models import Proposal
from plans import exports
from plans.models import Plan
from tables.models import Invitation, Meeting
from tests.factories.participation import ProposalFactory
from tests.factories.plans import make_plan
from tests.factories.tables import InvitationFactory, MeetingFactory, TableFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(ambito, staff_user, entity, other_entity):
    """A plan of this year, a meeting with four invitations (three present), and two proposals,
    one answered after two days. A meeting of three years ago is outside the plan's years."""
    year = timezone.localdate().year
    now = timezone.now().replace(month=6, day=15, hour=10)
    table = TableFactory(ambito=ambito)
    meeting = MeetingFactory(table=table, starts_at=now, status=Meeting.Status.CONVENED)
    present = Invitation.Attendance.PRESENT
    for who, attendance in ((entity, present), (other_entity, present), (None, present)):
        InvitationFactory(meeting=meeting, entity=who, attendance=attendance)
    InvitationFactory(meeting=meeting, attendance=Invitation.Attendance.ABSENT)
    old = MeetingFactory(
        table=table, starts_at=now - timedelta(days=3 * 366), status=Meeting.Status.CONVENED
    )
    InvitationFactory(meeting=old, entity=entity, attendance=present)
    answered = ProposalFactory(table=table, entity=entity)
    Proposal.objects.filter(pk=answered.pk).update(
        created_at=now, answered_at=now + timedelta(days=2), status=Proposal.Status.ACCEPTED
    )
    Proposal.objects.filter(pk=ProposalFactory(table=table).pk).update(created_at=now)
    return make_plan(
        ambito, user=staff_user, start_year=year, end_year=year, status=Plan.Status.APPROVED
    )


def test_the_plan_page_shows_the_participation_figures(client_for, plan):
    html = client_for(None).get(reverse("plans:detail", args=[plan.pk])).content.decode()
    year = plan.start_year
    assert f"2 enti hanno partecipato nel {year}-{year}" in html
    assert "1 seduta dei tavoli, presenza del 75,0% (3 presenti su 4 invitati)" in html
    assert "Proposte con risposta ufficiale: 1 su 2 (risposta in 2,0 giorni" in html


def test_the_plan_pdf_shows_the_participation_figures(plan):
    reader = PdfReader(BytesIO(exports.plan_pdf_bytes(plan)))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert f"2 enti hanno partecipato nel {plan.start_year}-{plan.end_year}" in text
    assert "presenza del 75,0% (3 presenti su 4 invitati)" in text
    assert "Proposte con risposta ufficiale: 1 su 2" in text
