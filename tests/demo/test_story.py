"""The demo tells one coherent story (issue 20): the entities the news mention sit at the four
tables from before the meetings they attended, admitted entities sit where their procedure says,
the library links real public documents, the Regolamento has its ten principles, the Stati
generali is followed by its report and its proposals, and the amounts fit who carries them.

The demo is loaded once for the module, twice (the second run must change nothing), inside a
transaction rolled back at the end, so that the other test files of the worker never see it."""

from __future__ import annotations

import io
from decimal import Decimal
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ambito.models import StaffRole
from entities.models import Entity
from participation.demo_data import (
    CITIZEN_PROPOSALS,
    LIBRARY,
    PRINCIPLES,
    RETIRED_NEWS,
    STATI_GENERALI,
)
from participation.models import Event, LibraryItem, News, Principle, Proposal
from plans.models import Intervention, Plan
from processes.models import Application, ApplicationStatus, Procedure
from tables.demo import TABLE_GROUPS
from tables.demo_concertation import CONCERTATION
from tables.models import Invitation, Minutes, Table, TableMembership
from tests.reference_data import ensure_reference_data

ATS6 = "ats-6-fano"
DEMO_APPS = ("entities", "tables", "processes", "participation", "plans")


def _counts() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.app_label in DEMO_APPS
    }


@pytest.fixture(scope="module")
def story(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_reference_data()  # this fixture runs before the per-test one that does it
        call_command("seed_demo", stdout=io.StringIO())
        first = _counts()
        call_command("seed_demo", stdout=io.StringIO())
        report = LibraryItem.objects.get(ambito__code=ATS6, title__startswith=STATI_GENERALI)
        with report.file.open("rb") as f:  # MEDIA_ROOT is each test's own from here on
            head = f.read(5)
        yield {"first": first, "second": _counts(), "report_pdf": head}
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def _seats(**filters):
    return TableMembership.objects.current().filter(
        table__ambito__code=ATS6, entity__isnull=False, **filters
    )


def test_a_second_run_changes_nothing(story):
    assert story["second"] == story["first"]


def test_over_forty_entities_sit_at_the_four_thematic_tables(story):
    tables = Table.objects.filter(ambito__code=ATS6, slug__in=TABLE_GROUPS)
    assert sorted(t.name for t in tables) == [
        "Famiglia",
        "Inclusione",
        "Non autosufficienza",
        "Salute mentale",
    ]
    seated = Entity.objects.filter(pk__in=_seats(table__in=tables).values("entity"))
    assert seated.count() >= 40
    assert all(
        t.memberships.filter(status="active", entity__isnull=False).count() >= 10 for t in tables
    )
    forms = set(seated.values_list("legal_form", flat=True))
    assert {"odv", "aps", "coop_a", "coop_b", "fondazione"} <= forms
    ambito_comuni = set(tables[0].ambito.comuni.values_list("pk", flat=True))
    for entity in seated.prefetch_related("target_groups"):
        assert entity.status == Entity.Status.VERIFIED
        assert entity.seat_comune_id in ambito_comuni, entity.name
        assert entity.target_groups.exists(), entity.name
    # each seat follows the table's target groups, or the procedure that admitted the entity
    for seat in _seats(table__in=tables).select_related("table", "entity"):
        groups = set(seat.entity.target_groups.values_list("code", flat=True))
        admitted = Application.objects.filter(
            entity=seat.entity, status=ApplicationStatus.ADMITTED, procedure__tables=seat.table
        ).exists()
        assert groups & TABLE_GROUPS[seat.table.slug] or admitted, (seat.entity.name, seat.table)
    # the news says so
    opening = News.objects.get(ambito__code=ATS6, title__startswith="Al via i tavoli tematici")
    assert "oltre 40 enti" in opening.summary


def test_memberships_start_before_the_meetings_attended(story):
    attended = Invitation.objects.filter(
        meeting__table__ambito__code=ATS6, attendance=Invitation.Attendance.PRESENT
    ).select_related("membership", "meeting")
    assert attended.count() >= 20
    assert set(attended.values_list("meeting__table__slug", flat=True)) == set(TABLE_GROUPS) | {
        slug for slug, *_rest in CONCERTATION.values()
    }
    for invitation in attended:
        seat = invitation.membership
        assert seat is not None, invitation.email
        assert seat.decided_at is not None and seat.decided_at <= invitation.meeting.starts_at, (
            invitation.email,
            invitation.meeting.title,
        )
    # an entity that joined between two meetings was invited to the second only
    held = list(
        attended.filter(meeting__table__slug="inclusione")
        .values_list("meeting__starts_at", flat=True)
        .distinct()
        .order_by("meeting__starts_at")
    )
    first, second = held[0], held[-1]
    late = _seats(decided_at__gt=first, decided_at__lt=second, table__slug="inclusione").first()
    assert late is not None
    invited_to = set(
        Invitation.objects.filter(membership=late).values_list("meeting__starts_at", flat=True)
    )
    assert first not in invited_to and second in invited_to


def test_admitted_entities_sit_at_the_tables_the_procedure_says(story):
    admitted = Application.objects.filter(
        procedure__ambito__code=ATS6, status=ApplicationStatus.ADMITTED
    ).select_related("procedure", "entity")
    assert admitted.count() >= 3
    for application in admitted:
        procedure = application.procedure
        if procedure.kind == Procedure.Kind.CODESIGN:
            tables = [procedure.reserved_table]
        else:
            tables = list(procedure.tables.all())
        assert tables
        for table in tables:
            seat = _seats(table=table, entity=application.entity).first()
            assert seat is not None, (application.entity.name, table.name)


def test_library_links_real_public_documents_of_the_named_publishers(story):
    items = LibraryItem.objects.filter(ambito__code=ATS6)
    assert items.count() >= len(LIBRARY)
    for item in items:
        assert item.url or item.file, item.title
        if item.url:
            parts = urlsplit(item.url)
            assert parts.scheme == "https", item.url
            assert "example" not in parts.netloc, item.url
    hosts = {item.title: urlsplit(item.url).netloc for item in items if item.url}
    expected = {
        "D.M. 72/2021": "www.lavoro.gov.it",
        "Regione Toscana": "amministrazionecondivisatoscana.it",
        "Regolamento per l'amministrazione condivisa": "comune.fano.pu.it",
        "D.Lgs. 117/2017": "www.normattiva.it",
    }
    for prefix, host in expected.items():
        (title,) = [t for t in hosts if t.startswith(prefix)]
        assert hosts[title] == host
    dm72 = items.get(title__startswith="D.M. 72/2021")
    assert dm72.source == "Ministero del Lavoro e delle Politiche Sociali" and dm72.year == 2021
    assert items.filter(is_regolamento=True).count() == 1


def test_the_regolamento_page_shows_the_ten_principles(story, client):
    assert Principle.objects.filter(ambito__code=ATS6).count() == 10
    assert Principle.objects.filter(ambito__code="ats-1-pesaro").count() == 10
    page = client.get(reverse("participation:ambito_charter", args=[ATS6])).content.decode()
    for title, _text in PRINCIPLES:
        assert title in page, title
    assert "https://comune.fano.pu.it/" in page
    assert "Pubblicità e trasparenza" in page and "Accessibilità" in page


def test_the_stati_generali_is_followed_by_its_report_and_its_proposals(story, client):
    now = timezone.now()
    event = Event.objects.get(ambito__code=ATS6, title=STATI_GENERALI)
    assert event.ends_at < now and event.status == Event.Status.PUBLISHED
    session_tables = set(event.sessions.exclude(table=None).values_list("table", flat=True))
    assert len(session_tables) == 4
    proposals = [
        p
        for p in Proposal.objects.filter(ambito__code=ATS6).select_related("table", "entity")
        if STATI_GENERALI in p.text
    ]
    assert len(proposals) >= 1
    for proposal in proposals:
        assert proposal.table_id in session_tables
        assert event.ends_at < proposal.created_at < now
        assert proposal.answered_at is None or proposal.created_at < proposal.answered_at < now
        # its author sits at the table for the entity it proposes for
        assert _seats(
            table=proposal.table, entity=proposal.entity, delegate=proposal.author
        ).exists()
    report = News.objects.get(ambito__code=ATS6, title__startswith=STATI_GENERALI)
    assert event.ends_at < report.published_at < now
    page = client.get(reverse("participation:news_detail", args=[report.pk])).content.decode()
    for proposal in proposals:  # named, with a link to the (public) page of its table
        assert proposal.title in unescape(page)
        assert f'href="{proposal.table.get_absolute_url()}"' in page
    pdf = LibraryItem.objects.get(ambito__code=ATS6, title=report.title)
    assert pdf.file and pdf.published_at == report.published_at
    assert story["report_pdf"] == b"%PDF-"
    # the home's next event is a future one
    assert Event.objects.filter(ambito__code=ATS6, starts_at__gt=now, status="published").exists()


def test_amounts_fit_the_entities_that_carry_them(story):
    codesign = Procedure.objects.get(ambito__code=ATS6, kind=Procedure.Kind.CODESIGN)
    applications = list(codesign.applications.select_related("entity"))
    assert applications
    assert sum(a.budget_total for a in applications) <= codesign.budget
    for application in applications:
        entity = application.entity
        if entity.employees == 0:  # volunteers' expenses only, no staff
            assert application.budget_total <= Decimal("25000"), entity.name
            assert not application.budget_lines.filter(description__icontains="operator").exists()
    news = News.objects.get(ambito__code=ATS6, title__startswith="Non autosufficienza")
    assert codesign.budget == Decimal("480000") and codesign.duration_months == 36
    assert "480.000 euro in 36 mesi" in news.summary
    run_by_entities = Intervention.objects.filter(
        plan__ambito__code=ATS6, runner_entity__isnull=False
    ).select_related("runner_entity")
    assert run_by_entities.exists()
    for intervention in run_by_entities:
        entity = intervention.runner_entity
        yearly = max(
            sum(line.amount for line in intervention.budget_lines.all() if line.year == year)
            for year in intervention.plan.years
        )
        capacity = 15_000 * (entity.employees + 1) + 2_000 * entity.volunteers
        assert yearly <= capacity, (intervention.code, entity.name, yearly)


def test_news_tell_only_what_the_demo_holds(story):
    assert not News.objects.filter(title__in=RETIRED_NEWS).exists()
    closed = Procedure.objects.get(ambito__code=ATS6, kind=Procedure.Kind.COPROGRAMMING)
    news = News.objects.get(
        ambito__code=ATS6, title__startswith="Co-programmazione per l'inclusione"
    )
    (outcome,) = closed.documents.all()
    assert abs((news.published_at.date() - outcome.act_date).days) <= 1


def test_two_comuni_run_their_concertation_tables_listed_in_the_plan(story, client):
    tables = Table.objects.filter(ambito__code=ATS6, kind=Table.Kind.CONCERTATION)
    assert sorted(tables.values_list("comune__name", flat=True)) == ["Mondolfo", "Pergola"]
    page_rows = []
    for table in tables.select_related("comune"):
        # run by the comune's own staff
        (coordinator,) = table.coordinators.all()
        assert StaffRole.objects.filter(
            user=coordinator, role=StaffRole.Role.COMUNE, comune=table.comune
        ).exists()
        # the comune and the entities seated in it are members
        seats = TableMembership.objects.current().filter(table=table)
        assert seats.filter(comune=table.comune, delegate=coordinator).exists()
        entities = seats.exclude(entity=None).select_related("entity")
        assert entities.count() >= 3
        assert {s.entity.seat_comune_id for s in entities} == {table.comune_id}
        # one held meeting, with attendance and minutes approved by the coordinator
        (meeting,) = table.meetings.all()
        assert meeting.starts_at < timezone.now()
        assert meeting.invitations.filter(attendance=Invitation.Attendance.PRESENT).count() >= 3
        minutes = Minutes.objects.get(meeting=meeting)
        assert minutes.status == Minutes.Status.APPROVED and minutes.approved_by == coordinator
        page_rows.append((table, meeting))
    # the plan's participation path lists them per comune, with the minutes published
    plan = Plan.objects.get(ambito__code=ATS6)
    client.force_login(plan.created_by)
    html = unescape(client.get(plan.get_absolute_url()).content.decode())
    assert "Tavoli di concertazione dei comuni" in html
    for table, meeting in page_rows:
        assert f"Comune di {table.comune.name}" in html
        assert table.name in html and meeting.title in html
        assert reverse("tables:minutes_pdf", args=[meeting.pk]) in html
    assert html.index("Comune di Mondolfo") < html.index("Comune di Pergola")


def test_citizens_propose_publicly_with_an_answer_a_discussion_and_a_moderation(story, client):
    from participation.models import ParticipationSettings

    assert ParticipationSettings.objects.get(ambito__code=ATS6).citizen_proposals
    proposals = Proposal.objects.filter(ambito__code=ATS6, by_citizen=True, is_public=True)
    assert sorted(proposals.values_list("title", flat=True)) == sorted(
        title for title, *_rest in CITIZEN_PROPOSALS
    )
    answered = proposals.get(status=Proposal.Status.ACCEPTED)
    assert answered.created_at < answered.answered_at < timezone.now()
    discussed = proposals.get(status=Proposal.Status.UNDER_STUDY)
    assert discussed.supports.count() == 2 and discussed.comments.count() == 2
    assert discussed.supports.exclude(user=discussed.author).count() == 2
    hidden = proposals.get(hidden_at__isnull=False)
    assert hidden.hidden_reason and hidden.hidden_by.staff_roles.filter(ambito__code=ATS6)

    # what anybody reads: the public list, the answer, the discussion, the moderation's reason
    listing = unescape(
        client.get(reverse("participation:public_proposals", args=[ATS6])).content.decode()
    )
    assert answered.title in listing and discussed.title in listing
    assert hidden.title not in listing and "Proposta nascosta dalla moderazione" in listing
    page = unescape(client.get(answered.get_absolute_url()).content.decode())
    assert "Risposta ufficiale dell'Ufficio di Piano" in page and answered.answer in page
    page = unescape(client.get(discussed.get_absolute_url()).content.decode())
    assert all(c.text in page for c in discussed.comments.all())
    page = unescape(client.get(hidden.get_absolute_url()).content.decode())
    assert f"nascosta dalla moderazione: {hidden.hidden_reason}" in page
    assert hidden.text not in page
