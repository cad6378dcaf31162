"""Tables list, home and "my area" blocks: what they show, and that their queries stay few and do
not grow with members, meetings or invitations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tables import selectors
from tables.models import Meeting, TableMembership
from tests.factories.ambito import ComuneFactory
from tests.factories.core import UserFactory
from tests.factories.entities import EntityFactory
from tests.factories.tables import InvitationFactory, MeetingFactory, MembershipFactory
from tests.tables.conftest import add_members

pytestmark = pytest.mark.django_db


def _meeting(table, days: int, status=Meeting.Status.CONVENED):
    starts = (timezone.now() + timedelta(days=days)).replace(microsecond=0)
    return MeetingFactory(
        table=table, starts_at=starts, ends_at=starts + timedelta(hours=2), status=status
    )


@pytest.fixture
def busy_table(table):
    """10 active members (entities "Ente 00".."Ente 09"), one request, two meetings held (plus a
    cancelled and a draft one) and one convened in five days."""
    for i in range(10):
        entity = EntityFactory(ambito=table.ambito, name=f"Ente {i:02d}")
        MembershipFactory(table=table, entity=entity)
    MembershipFactory(table=table, status=TableMembership.Status.REQUESTED)
    _meeting(table, -30)
    _meeting(table, -20)
    _meeting(table, -10, status=Meeting.Status.CANCELLED)
    _meeting(table, -5, status=Meeting.Status.DRAFT)
    _meeting(table, 5)
    return table


def test_tables_list_counts_and_first_members(busy_table):
    [row] = selectors.with_card_details(list(selectors.tables_list()))
    assert row.member_count == 10
    assert row.past_meetings == 2
    assert [m.entity.name for m in row.shown_members] == [f"Ente {i:02d}" for i in range(8)]
    assert row.next_meetings[0].starts_at > timezone.now()
    [home_row] = selectors.tables_list()
    assert home_row.member_count == 10 and not hasattr(home_row, "shown_members")


def test_tables_list_page(client, busy_table):
    body = client.get(reverse("tables:list")).text
    assert "10 membri" in body and "2 sedute svolte" in body
    assert "Ente 07" in body and "Ente 08" not in body and "…" in body
    assert "Prossima seduta" in body


def test_tables_list_names_comuni_and_people(client, table):
    """A card names an entity with its link, a comune as "Comune di ...", an expert by name
    (else address), every name escaped, in the order of their kind's code."""
    entity = EntityFactory(ambito=table.ambito, name="Ente <b>uno</b>")
    MembershipFactory(table=table, entity=entity)
    comune = table.ambito.comuni.first() or ComuneFactory(ambito=table.ambito)
    MembershipFactory(table=table, kind=TableMembership.Kind.COMUNE, entity=None, comune=comune)
    MembershipFactory(
        table=table,
        kind=TableMembership.Kind.EXPERT,
        entity=None,
        delegate=UserFactory(first_name="Anna", last_name="Neri"),
    )
    body = client.get(reverse("tables:list")).text
    shown = (
        f'Comune di {comune.name}, <a href="{entity.get_absolute_url()}">'
        "Ente &lt;b&gt;uno&lt;/b&gt;</a>, Anna Neri"
    )
    assert shown in body


def test_tables_list_queries_do_not_grow(client, busy_table, django_assert_max_num_queries):
    client.get(reverse("tables:list"))
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("tables:list"))
    for _ in range(3):
        add_members(busy_table, 5)
        _meeting(busy_table, -40)
    with django_assert_max_num_queries(len(before.captured_queries)):
        body = client.get(reverse("tables:list")).text
    assert "25 membri" in body and "5 sedute svolte" in body
    assert len(before.captured_queries) <= 7


def test_home_reads_the_default_ambito_once(client, busy_table, django_assert_max_num_queries):
    with django_assert_max_num_queries(11):  # the first request reads the ambiti's codes too
        body = client.get("/").text
    assert busy_table.name in body and "10 membri" in body
    with CaptureQueriesContext(connection) as ctx:
        client.get("/")
    ambito_reads = [q for q in ctx.captured_queries if 'FROM "ambito_ambito"' in q["sql"]]
    assert len(ambito_reads) == 1, ambito_reads


def test_my_area_upcoming_meetings(client_for, table, seat, entity_delegate):
    """Meetings of the member's tables, and of other tables they are invited to; no drafts, none
    already over; the user's answer next to each."""
    own = _meeting(table, 3)
    _meeting(table, 4, status=Meeting.Status.DRAFT)
    _meeting(table, -3)
    other = MeetingFactory(status=Meeting.Status.CONVENED, title="Seduta di un altro tavolo")
    InvitationFactory(meeting=other, user=entity_delegate, response="yes")
    MeetingFactory(status=Meeting.Status.CONVENED, title="Seduta non mia")
    rows = selectors.upcoming_for_user(entity_delegate)
    assert [(m.pk, inv and inv.response) for m, inv in rows] == [(own.pk, None), (other.pk, "yes")]
    body = client_for(entity_delegate).get(reverse("core:my_area")).text
    assert "Seduta di un altro tavolo" in body and "Seduta non mia" not in body


def test_my_area_queries_do_not_grow(
    client_for, table, seat, entity_delegate, django_assert_max_num_queries
):
    client = client_for(entity_delegate)
    _meeting(table, 3)
    client.get(reverse("core:my_area"))
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("core:my_area"))
    for days in range(4, 14):
        InvitationFactory(meeting=_meeting(table, days), user=entity_delegate)
        InvitationFactory(meeting=MeetingFactory(status="convened"), user=entity_delegate)
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(reverse("core:my_area"))


def test_managed_tables_pending_count(busy_table, staff_user):
    [row] = selectors.managed_tables(staff_user)
    assert row.pending == 1


def test_tables_list_card_themes_and_next_meeting_link(client, busy_table):
    from entities.models import TargetGroup

    groups = list(TargetGroup.objects.all()[:2])
    busy_table.themes.add(*reversed(groups))
    upcoming = busy_table.meetings.get(status=Meeting.Status.CONVENED, starts_at__gt=timezone.now())
    body = client.get(reverse("tables:list")).text
    badges = "".join(
        f' <span class="badge bg-light text-dark border">{g.name}</span>' for g in groups
    )
    assert badges + "</p>" in body
    assert f'Prossima seduta: <a href="{upcoming.get_absolute_url()}">' in body
