"""A comune's concertation tables (the Piano Sociale di Zona's Tavolo di Concertazione): its
staff create and run them, the staff of another comune do not, the Ufficio di Piano runs all of
them; their area lists them; the plan's participation path lists them per comune."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ambito.models import StaffRole
from core.models import AuditEvent
from tables.concertation import concertation_by_comune
from tables.models import Meeting, Table, TableMembership
from tests.factories.ambito import StaffRoleFactory
from tests.factories.core import UserFactory
from tests.factories.plans import make_plan
from tests.factories.tables import MeetingFactory, MinutesFactory, TableFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def my_comune(comune_user):
    return comune_user.staff_roles.get().comune


@pytest.fixture
def other_comune(ambito, my_comune):
    return ambito.comuni.exclude(pk=my_comune.pk).exclude(pk=ambito.lead_comune_id).get()


@pytest.fixture
def other_comune_user(ambito, other_comune):
    return StaffRoleFactory(
        ambito=ambito, role=StaffRole.Role.COMUNE, comune=other_comune, user__email="altro@c.it"
    ).user


@pytest.fixture
def concertation(ambito, my_comune):
    return TableFactory(
        ambito=ambito, kind=Table.Kind.CONCERTATION, comune=my_comune, name="Concertazione PSZ"
    )


@pytest.fixture
def other_concertation(ambito, other_comune):
    return TableFactory(
        ambito=ambito, kind=Table.Kind.CONCERTATION, comune=other_comune, name="Tavolo dell'altro"
    )


def _table_post(**extra):
    return {"name": "Tavolo di concertazione", "slug": "concertazione", "is_open": "on", **extra}


def test_comune_staff_create_a_concertation_table_of_their_comune(
    client_for, ambito, comune_user, my_comune, other_comune
):
    c = client_for(comune_user)
    page = c.get(reverse("tables:create") + f"?ambito={ambito.pk}&comune={my_comune.pk}")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'<option value="{my_comune.pk}" selected>{my_comune}</option>' in html
    assert other_comune.name not in html  # their own comune only
    # the kind is fixed: a thematic table asked for becomes a concertation table of the comune
    response = c.post(reverse("tables:create"), _table_post(kind="thematic", comune=my_comune.pk))
    table = Table.objects.get(slug="concertazione")
    assert response.status_code == 302 and response.url == table.get_absolute_url()
    assert (table.ambito, table.kind, table.comune) == (ambito, "concertation", my_comune)
    assert AuditEvent.objects.filter(action="tables.table.created", actor=comune_user).exists()
    detail = c.get(table.get_absolute_url()).content.decode()
    assert "Convoca una seduta" in detail and "Gestisci i membri" in detail


def test_comune_staff_may_not_create_for_another_comune(client_for, comune_user, other_comune):
    response = client_for(comune_user).post(
        reverse("tables:create"), _table_post(kind="concertation", comune=other_comune.pk)
    )
    assert response.status_code == 200 and "Scegli un&#x27;opzione valida" in response.text
    assert not Table.objects.exists()


def test_comune_staff_may_not_turn_their_table_into_another(
    client_for, comune_user, concertation, my_comune, other_comune
):
    c = client_for(comune_user)
    url = reverse("tables:update", args=[concertation.pk])
    response = c.post(url, _table_post(slug=concertation.slug, kind="thematic", comune=""))
    assert response.status_code == 200 and "id_comune-error" in response.text, response.text[-3000:]
    response = c.post(
        url, _table_post(slug=concertation.slug, kind="thematic", comune=my_comune.pk)
    )
    assert response.status_code == 302
    concertation.refresh_from_db()
    assert (concertation.kind, concertation.comune, concertation.name) == (
        "concertation",
        my_comune,
        "Tavolo di concertazione",
    )


@pytest.mark.parametrize(
    "name",
    ["tables:update", "tables:members", "tables:members_export", "tables:meeting_create"],
)
def test_another_comune_s_staff_are_refused(
    client_for, concertation, other_comune_user, comune_user, staff_user, name
):
    url = reverse(name, args=[concertation.pk])
    assert client_for(other_comune_user).get(url).status_code == 403
    assert client_for(comune_user).get(url).status_code == 200
    assert client_for(staff_user).get(url).status_code == 200  # the Ufficio di Piano: all


def test_comune_staff_do_not_manage_thematic_tables(client_for, ambito, comune_user):
    thematic = TableFactory(ambito=ambito, name="Inclusione")
    for name in ("tables:update", "tables:members", "tables:meeting_create"):
        assert client_for(comune_user).get(reverse(name, args=[thematic.pk])).status_code == 403


def test_comune_staff_of_another_ambito_are_refused(client_for, concertation, my_comune):
    """The same comune's staff in another ambito's role do not run this ambito's table."""
    elsewhere = StaffRoleFactory(role=StaffRole.Role.COMUNE, comune=my_comune).user
    url = reverse("tables:update", args=[concertation.pk])
    assert client_for(elsewhere).get(url).status_code == 403


def test_another_comune_s_staff_neither_see_drafts_nor_change_meetings(
    client_for, concertation, other_comune_user, comune_user
):
    draft = MeetingFactory(table=concertation, title="Seduta in preparazione")
    convened = MeetingFactory(table=concertation, title="Seduta convocata", status="convened")
    other = client_for(other_comune_user)
    assert other.get(reverse("tables:meeting_detail", args=[draft.pk])).status_code == 404
    assert other.get(reverse("tables:meeting_update", args=[convened.pk])).status_code == 403
    assert other.post(reverse("tables:meeting_cancel", args=[convened.pk])).status_code == 403
    assert other.get(reverse("tables:attendance", args=[convened.pk])).status_code == 403
    assert other.get(reverse("tables:minutes_edit", args=[convened.pk])).status_code == 403
    convened.refresh_from_db()
    assert convened.status == Meeting.Status.CONVENED
    mine = client_for(comune_user)
    assert "Seduta in preparazione" in mine.get(draft.get_absolute_url()).content.decode()


def test_comune_staff_add_members_and_call_a_meeting(
    client_for, comune_user, concertation, entity, entity_delegate
):
    c = client_for(comune_user)
    response = c.post(
        reverse("tables:members", args=[concertation.pk]),
        {
            "kind": "expert",
            "email": "esperta@example.org",
            "first_name": "Elena",
            "last_name": "Esperta",
        },
    )
    assert response.status_code == 302
    seat = TableMembership.objects.get(table=concertation)
    assert (seat.kind, seat.status, seat.delegate.email) == (
        "expert",
        "active",
        "esperta@example.org",
    )
    start = timezone.localtime() + timedelta(days=8)
    response = c.post(
        reverse("tables:meeting_create", args=[concertation.pk]),
        {
            "title": "Prima seduta di concertazione",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "place": "Sala consiliare",
            "agenda-TOTAL_FORMS": "1",
            "agenda-INITIAL_FORMS": "0",
            "agenda-0-title": "Proposte per il Piano Sociale di Zona",
        },
    )
    meeting = Meeting.objects.get(table=concertation)
    assert response.status_code == 302 and meeting.title == "Prima seduta di concertazione"
    assert [i.title for i in meeting.agenda_items.all()] == [
        "Proposte per il Piano Sociale di Zona"
    ]


def test_my_area_lists_the_comune_s_concertation_tables_with_a_create_button(
    client_for, ambito, comune_user, my_comune, concertation, other_concertation
):
    html = client_for(comune_user).get(reverse("core:my_area")).content.decode()
    assert f"Tavoli di concertazione del Comune di {my_comune.name}" in html
    assert "Concertazione PSZ" in html and "Tavolo dell&#x27;altro" not in html
    create = reverse("tables:create") + f"?ambito={ambito.pk}&amp;comune={my_comune.pk}"
    assert f'href="{create}"' in html
    assert f"Nuovo tavolo di concertazione di {my_comune.name}" in html


def test_my_area_offers_the_create_button_before_any_table(client_for, comune_user, my_comune):
    html = client_for(comune_user).get(reverse("core:my_area")).content.decode()
    assert "Nessun tavolo di concertazione." in html
    assert f"Nuovo tavolo di concertazione di {my_comune.name}" in html


def test_table_list_offers_creation_to_comune_staff(client_for, comune_user, no_role_user):
    assert "Nuovo tavolo" in client_for(comune_user).get(reverse("tables:list")).text
    assert "Nuovo tavolo" not in client_for(no_role_user).get(reverse("tables:list")).text


def _held_meeting(table, title, *, minutes_status=None):
    start = timezone.now() - timedelta(days=3)
    meeting = MeetingFactory(
        table=table,
        title=title,
        status="convened",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )
    if minutes_status:
        MinutesFactory(
            meeting=meeting,
            status=minutes_status,
            approved_at=timezone.now() if minutes_status == "approved" else None,
        )
    return meeting


def test_concertation_by_comune_lists_public_meetings_and_published_minutes(
    ambito, concertation, other_concertation, django_assert_num_queries
):
    approved = _held_meeting(concertation, "Seduta approvata", minutes_status="approved")
    _held_meeting(concertation, "Seduta in bozza", minutes_status="draft")
    MeetingFactory(table=concertation, title="In preparazione")  # a draft: not public
    TableFactory(ambito=ambito, name="Tematico")  # not a concertation table
    with django_assert_num_queries(2):
        groups = concertation_by_comune(ambito.pk)
    assert [(g.comune, [t.name for t in g.tables]) for g in groups] == sorted(
        [
            (concertation.comune, ["Concertazione PSZ"]),
            (other_concertation.comune, ["Tavolo dell'altro"]),
        ],
        key=lambda row: row[0].name,
    )
    mine = next(g for g in groups if g.comune == concertation.comune).tables[0]
    assert [(m.title, m.has_public_minutes) for m in mine.path_meetings] == [
        ("Seduta approvata", True),
        ("Seduta in bozza", False),
    ]
    assert mine.path_meetings[0].pk == approved.pk


def test_plan_participation_path_lists_concertation_tables_per_comune(
    client_for, ambito, staff_user, concertation, my_comune
):
    meeting = _held_meeting(concertation, "Seduta di marzo", minutes_status="approved")
    _held_meeting(concertation, "Seduta di aprile", minutes_status="shared")
    plan = make_plan(ambito, user=staff_user)
    html = client_for(staff_user).get(plan.get_absolute_url()).content.decode()
    assert "Tavoli di concertazione dei comuni" in html
    assert f"Comune di {my_comune.name}" in html and "Concertazione PSZ" in html
    assert "Seduta di marzo" in html and "Seduta di aprile" in html
    assert reverse("tables:minutes_pdf", args=[meeting.pk]) in html
    assert html.count('/verbale/pdf/"') == 1  # the shared draft is not published


def test_coordinator_of_a_concertation_table_keeps_the_whole_form(
    client_for, concertation, other_concertation
):
    coordinator = UserFactory()
    other_concertation.coordinators.add(coordinator)
    html = (
        client_for(coordinator)
        .get(reverse("tables:update", args=[other_concertation.pk]))
        .content.decode()
    )
    select = html[html.index('<select name="kind"') :].split(">", 1)[0]
    assert "disabled" not in select and '<option value="thematic"' in html
