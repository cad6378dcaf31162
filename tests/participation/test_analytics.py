"""The participation analytics of an ambito: the figures, the page, its download, the comune's
slice, and a constant number of queries."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from entities.models import Entity
from participation.analytics import Period, Scope, participation_figures, plan_summary
from participation.models import Proposal
from tables.models import Invitation, Meeting
from tests.factories.core import UserFactory
from tests.factories.entities import EntityFactory
from tests.factories.participation import (
    ApplicationFactory,
    BookingFactory,
    EventFactory,
    EventSessionFactory,
    ProcedureFactory,
    ProposalFactory,
    RegistrationFactory,
)
from tests.factories.surveys import SurveyFactory
from tests.factories.tables import InvitationFactory, MeetingFactory, TableFactory

pytestmark = pytest.mark.django_db

PRESENT = Invitation.Attendance.PRESENT


def _ago(days: int):
    return timezone.now() - timedelta(days=days)


def _meeting(
    table, *, days: int, attendance: list[tuple[Entity | None, str]], status=Meeting.Status.CONVENED
):
    meeting = MeetingFactory(table=table, starts_at=_ago(days), status=status)
    for entity, present in attendance:
        InvitationFactory(meeting=meeting, entity=entity, attendance=present)
    return meeting


@pytest.fixture
def story(ambito, entity, other_entity):
    """Two tables, three meetings (one a year and a half ago, out of the period), an
    application, a survey response, two proposals of which one answered after 4 days, and an
    event with two registrations of which one attended."""
    comune = ambito.comuni.exclude(pk=ambito.lead_comune_id).first()
    Entity.objects.filter(pk=other_entity.pk).update(
        seat_comune=comune, legal_form=Entity.LegalForm.APS
    )
    entity.target_groups.add(*entity.target_groups.model.objects.filter(code="anziani"))
    anziani = TableFactory(ambito=ambito, name="Anziani")
    minori = TableFactory(ambito=ambito, name="Minori")
    _meeting(anziani, days=30, attendance=[(entity, PRESENT), (other_entity, PRESENT)])
    _meeting(
        anziani,
        days=10,
        attendance=[(entity, PRESENT), (other_entity, Invitation.Attendance.ABSENT)],
    )
    _meeting(minori, days=20, attendance=[(entity, ""), (None, PRESENT)])
    _meeting(minori, days=540, attendance=[(entity, PRESENT)])
    _meeting(minori, days=5, attendance=[(entity, PRESENT)], status=Meeting.Status.CANCELLED)
    procedure = ProcedureFactory(ambito=ambito, title="Co-progettazione anziani")
    ApplicationFactory(procedure=procedure, entity=other_entity, submitted_at=_ago(15))
    survey = SurveyFactory(ambito=ambito, title="Bisogni 2026")
    survey.responses.create(user=_user(), entity=entity)
    answered = ProposalFactory(table=anziani, entity=entity, status=Proposal.Status.ACCEPTED)
    Proposal.objects.filter(pk=answered.pk).update(
        created_at=_ago(12), answered_at=_ago(8), answer="Sì"
    )
    ProposalFactory(table=anziani, entity=other_entity)
    event = EventFactory(ambito=ambito, title="Stati generali", starts_at=_ago(3), ends_at=_ago(2))
    session = EventSessionFactory(event=event)
    BookingFactory(
        registration=RegistrationFactory(event=event), session=session, attended_at=_ago(3)
    )
    BookingFactory(registration=RegistrationFactory(event=event), session=session)
    return {"comune": comune, "anziani": anziani, "minori": minori}


def _user():
    return UserFactory()


def test_the_figures_of_the_period(ambito, entity, other_entity, story):
    f = participation_figures(Scope(ambito.pk, Period.last_year()))

    s = f.summary
    assert s["entities"] == 2
    assert s["meetings"] == 3  # the old one and the cancelled one are not counted
    assert s["attendance"] == {"invited": 6, "present": 4, "rate": 66.7}
    assert s["applications"] == 1
    assert s["responses"] == 1
    assert (s["registrations"], s["attendees"]) == (2, 1)
    assert (s["proposals"], s["answered"], s["answered_rate"]) == (2, 1, 50.0)
    assert (s["avg_days"], s["median_days"]) == (4.0, 4.0)
    assert [
        (t["name"], t["n_meetings"], t["n_invited"], t["n_present"], t["rate"]) for t in f.tables
    ] == [
        ("Anziani", 2, 4, 3, 75.0),
        ("Minori", 1, 2, 1, 50.0),
    ]
    assert [(p["title"], p["n"]) for p in f.procedures] == [("Co-progettazione anziani", 1)]
    assert [(e["title"], e["n_registered"], e["n_attended"]) for e in f.events] == [
        ("Stati generali", 2, 1)
    ]
    assert [(x["title"], x["n"]) for x in f.surveys] == [("Bisogni 2026", 1)]
    forms = {r["label"]: r["n"] for r in f.breakdowns["legal_form"]}
    assert sorted(forms.values()) == [1, 1] and len(forms) == 2
    assert {r["label"]: r["n"] for r in f.breakdowns["comune"]} == {
        ambito.lead_comune.name: 1,
        story["comune"].name: 1,
    }
    assert [r["n"] for r in f.breakdowns["target_group"]] == [1]
    rows = {e["name"]: e for e in f.entities}
    assert (rows[entity.name]["n_present"], rows[entity.name]["n_responses"]) == (2, 1)
    assert (rows[other_entity.name]["n_present"], rows[other_entity.name]["n_applications"]) == (
        1,
        1,
    )


def test_a_shorter_period_counts_less(ambito, story):
    today = timezone.localdate()
    f = participation_figures(Scope(ambito.pk, Period(today - timedelta(days=14), today)))
    assert f.summary["meetings"] == 1
    assert f.summary["attendance"] == {"invited": 2, "present": 1, "rate": 50.0}


def test_a_comune_slice_counts_its_entities_only(ambito, other_entity, story):
    scope = Scope(ambito.pk, Period.last_year(), frozenset({story["comune"].pk}))
    f = participation_figures(scope)
    assert f.summary["entities"] == 1
    assert [e["name"] for e in f.entities] == [other_entity.name]
    assert f.summary["attendance"] == {"invited": 2, "present": 1, "rate": 50.0}
    assert f.summary["applications"] == 1
    assert f.summary["responses"] == 0
    assert (f.summary["registrations"], f.events) == (0, [])
    assert (f.summary["proposals"], f.summary["answered"]) == (1, 0)


def test_plan_summary_reads_the_plan_years(ambito, story):
    year = timezone.localdate().year
    s = plan_summary(Scope(ambito.pk, Period.of_years(year - 2, year)))
    assert (s["entities"], s["meetings"], s["proposals"], s["answered"]) == (2, 4, 2, 1)
    assert s["attendance"] == {"invited": 7, "present": 5, "rate": 71.4}
    later = plan_summary(Scope(ambito.pk, Period.of_years(year + 1, year + 2)))
    assert (later["entities"], later["meetings"], later["proposals"]) == (0, 0, 0)
    assert later["attendance"]["rate"] is None


def _grow(ambito, n: int) -> None:
    table = TableFactory(ambito=ambito)
    procedure = ProcedureFactory(ambito=ambito)
    survey = SurveyFactory(ambito=ambito)
    event = EventFactory(ambito=ambito, starts_at=_ago(3), ends_at=_ago(2))
    session = EventSessionFactory(event=event)
    for _ in range(n):
        e = EntityFactory(ambito=ambito, target_group_codes=["anziani"])
        _meeting(table, days=7, attendance=[(e, PRESENT), (None, "")])
        ApplicationFactory(procedure=procedure, entity=e, submitted_at=_ago(4))
        survey.responses.create(user=_user(), entity=e)
        ProposalFactory(table=table, entity=e)
        BookingFactory(registration=RegistrationFactory(event=event), session=session)


@pytest.mark.parametrize("n", [2, 12])
def test_the_page_runs_a_constant_number_of_queries(
    n, client_for, staff_user, ambito, django_assert_max_num_queries
):
    _grow(ambito, n)
    client = client_for(staff_user)
    url = reverse("participation:analytics", args=[ambito.code])
    with django_assert_max_num_queries(33):
        page = client.get(url)
    assert page.status_code == 200
    assert f'data-figure="entities">{n}<' in page.content.decode()


@pytest.mark.parametrize("n", [2, 12])
def test_the_figures_run_a_constant_number_of_queries(n, ambito, django_assert_num_queries):
    _grow(ambito, n)
    with django_assert_num_queries(17):
        participation_figures(Scope(ambito.pk, Period.last_year()), full=True)


def test_the_page_shows_charts_and_tables(client_for, staff_user, ambito, story):
    page = client_for(staff_user).get(reverse("participation:analytics", args=[ambito.code]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-figure="attendance">4 / 6 (66,7%)' in html
    assert 'data-figure="proposals">1 / 2<' in html
    assert html.count('role="img"') == 4  # attendance, legal form, comune, target group
    assert '<th scope="row">Anziani</th>' in html
    assert "Stati generali" in html and "Bisogni 2026" in html


def test_the_period_filter(client_for, staff_user, ambito, story):
    today = timezone.localdate()
    url = reverse("participation:analytics", args=[ambito.code])
    start = (today - timedelta(days=14)).isoformat()
    html = client_for(staff_user).get(url, {"dal": start, "al": today.isoformat()}).content.decode()
    assert 'data-figure="meetings">1<' in html
    wrong = client_for(staff_user).get(url, {"dal": today.isoformat(), "al": start})
    assert "La data di inizio non può seguire quella di fine." in wrong.content.decode()
    assert 'data-figure="meetings">3<' in wrong.content.decode()  # back to the last year


def test_comune_staff_see_their_slice(client_for, comune_user, ambito, other_entity, entity, story):
    html = (
        client_for(comune_user)
        .get(reverse("participation:analytics", args=[ambito.code]))
        .content.decode()
    )
    assert f"Dati del comune di {story['comune'].name}" in html
    assert other_entity.name in html and entity.name not in html
    assert 'data-figure="entities">1<' in html


@pytest.mark.parametrize("persona", ["other_staff", "entity_admin", "no_role_user"])
def test_others_may_not_read_the_analytics(request, client_for, ambito, persona):
    user = request.getfixturevalue(persona)
    for name in ("participation:analytics", "participation:analytics_export"):
        assert client_for(user).get(reverse(name, args=[ambito.code])).status_code == 403


def test_the_xlsx_download_has_the_figures(client_for, staff_user, ambito, story):
    url = reverse("participation:analytics_export", args=[ambito.code])
    response = client_for(staff_user).get(url, {"formato": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ("Sezione", "Voce", "Indicatore", "Valore")
    assert ("Sintesi", None, "Enti che hanno partecipato", 2) in rows
    assert ("Sintesi", None, "Tasso di presenza (%)", 66.7) in rows
    assert ("Tavoli", "Anziani", "Presenti", 3) in rows
    assert ("Eventi", "Stati generali", "Iscritti", 2) in rows


def test_the_csv_download_is_for_excel_in_italian(client_for, staff_user, ambito, story):
    url = reverse("participation:analytics_export", args=[ambito.code])
    response = client_for(staff_user).get(url, {"formato": "csv"})
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Sezione", "Voce", "Indicatore", "Valore"]
    assert ["Sintesi", "", "Tasso di presenza (%)", "66,7"] in rows
    assert ["Sintesi", "", "Giorni per rispondere (mediana)", "4"] in rows


def test_hidden_proposals_are_not_counted_as_participation(ambito, staff_user, story):
    """A proposal hidden by the moderation (with its reason) is not participation: it counts
    neither as a proposal, nor as answered, nor makes its entity a participant."""
    spammer = EntityFactory(ambito=ambito, name="Ente della proposta nascosta")
    hidden = ProposalFactory(table=story["anziani"], entity=spammer)
    Proposal.objects.filter(pk=hidden.pk).update(
        hidden_at=_ago(1),
        hidden_by=staff_user,
        hidden_reason="Contiene dati personali di terzi",
        status=Proposal.Status.ACCEPTED,
        answered_at=_ago(1),
    )
    f = participation_figures(Scope(ambito.pk, Period.last_year()))
    assert (f.summary["proposals"], f.summary["answered"]) == (2, 1)
    assert f.summary["entities"] == 2
    assert spammer.name not in {e["name"] for e in f.entities}
    year = timezone.localdate().year
    s = plan_summary(Scope(ambito.pk, Period.of_years(year - 2, year)))
    assert (s["entities"], s["proposals"], s["answered"]) == (2, 2, 1)
