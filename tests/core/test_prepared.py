"""core.prepared: querysets compiled once per shape, with each call's values bound (issue 21),
and the `any` lookup that gives a page's ids one SQL text."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import F, Q
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import User
from core.prepared import Prepared, Rows
from core.queries import FirstPerGroup
from tests.factories.core import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    now = timezone.now()
    return [
        UserFactory(first_name=name, last_name=group, date_joined=now - timedelta(days=days))
        for name, group, days in (
            ("Anna", "a", 1),
            ("Bruno", "a", 5),
            ("Carla", "b", 10),
            ("Dario", "b", 20),
            ("Elena", "c", 40),
        )
    ]


class Counting:
    """A builder that counts its calls (a kept shape is built twice, once)."""

    def __init__(self, build):
        self.build = build
        self.calls = 0

    def __call__(self, **arguments):
        self.calls += 1
        return self.build(**arguments)


def compilations(monkeypatch) -> list:
    seen: list = []
    original = SQLCompiler.as_sql

    def as_sql(self, *args, **kwargs):
        seen.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", as_sql)
    return seen


def test_a_kept_shape_is_built_once_and_each_call_gets_its_own_values(people, monkeypatch):
    build = Counting(
        lambda group, after: (
            User.objects.filter(last_name=group, pk__gt=after)
            .order_by("first_name")
            .only("first_name")
        )
    )
    prepared = Prepared(build)
    assert [u.first_name for u in prepared.run(group="a", after=people[0].pk)] == ["Bruno"]
    assert build.calls == 2  # the two rounds of stand-ins
    assert prepared.kept(group="a", after=0)
    compiled = compilations(monkeypatch)
    assert [u.first_name for u in prepared.run(group="a", after=0)] == ["Anna", "Bruno"]
    assert [u.first_name for u in prepared.run(group="b", after=0)] == ["Carla", "Dario"]
    assert build.calls == 2 and compiled == []  # neither built nor compiled again
    # the rows are the queryset's own: model instances with what it loads
    [anna, _bruno] = prepared.run(group="a", after=0)
    assert isinstance(anna, User) and "email" in anna.get_deferred_fields()


@pytest.mark.postgres
def test_datetimes_are_bound_on_postgresql(people, monkeypatch):
    """(SQLite receives datetimes as text, which the check does not recognise: there such a
    shape is built each time, the embedded mode's price.)"""
    prepared = Prepared(
        lambda since: User.objects.filter(
            date_joined__gte=since, pk__in=[p.pk for p in people]
        ).order_by("date_joined")
    )
    now = timezone.now()
    assert prepared.kept(since=now)
    compiled = compilations(monkeypatch)
    assert [u.first_name for u in prepared.run(since=now - timedelta(days=7))] == [
        "Bruno",
        "Anna",
    ]
    assert len(prepared.run(since=now - timedelta(days=30))) == 4
    assert compiled == []


def test_the_rows_are_those_of_the_plain_queryset_slices_and_counts_included(people):
    def build(group_a, group_b):
        return User.objects.filter(Q(last_name=group_a) | Q(last_name=group_b)).order_by("pk")

    prepared = Prepared(build)
    plain = build("a", "b")
    assert prepared.run(group_a="a", group_b="b") == list(plain)
    assert prepared.run(group_a="a", group_b="b", rows=slice(1, 3)) == list(plain[1:3])
    assert prepared.run(group_a="a", group_b="b", rows=slice(3, 9)) == list(plain[3:9])
    assert prepared.run(group_a="a", group_b="b", rows=slice(2, None)) == list(plain[2:])
    assert prepared.count(group_a="a", group_b="b") == plain.count() == 4
    assert prepared.count(group_a="c", group_b="zz") == 1
    rows = Rows(prepared, group_a="a", group_b="c")
    assert rows.count() == len(rows) == 3 and rows[0:2] == list(build("a", "c")[0:2])
    assert list(rows) == list(build("a", "c")) and rows[2] == build("a", "c")[2]
    with pytest.raises(IndexError):
        rows[3]


def test_a_distinct_queryset_counts_its_distinct_rows(people):
    prepared = Prepared(
        lambda group: (
            User.objects.filter(last_name=group)
            .filter(Q(groups__isnull=True) | Q(first_name__isnull=False))
            .distinct()
        )
    )
    assert prepared.count(group="a") == 2


def test_none_and_flags_choose_the_shape_and_are_part_of_the_key(people):
    def build(group, joined_first):
        qs = User.objects.all() if group is None else User.objects.filter(last_name=group)
        return qs.order_by("date_joined" if joined_first else "-date_joined", "pk").filter(
            pk__in=[p.pk for p in people]
        )

    prepared = Prepared(build)
    assert [u.first_name for u in prepared.run(group=None, joined_first=True)] == [
        "Elena",
        "Dario",
        "Carla",
        "Bruno",
        "Anna",
    ]
    assert [u.first_name for u in prepared.run(group="b", joined_first=False)] == [
        "Carla",
        "Dario",
    ]
    assert [u.first_name for u in prepared.run(group="b", joined_first=True)] == [
        "Dario",
        "Carla",
    ]


@pytest.mark.parametrize(
    "build",
    [
        # a value computed from an argument would be frozen at its first value
        lambda since: User.objects.filter(date_joined__gte=since - timedelta(days=1)),
        # the builder's own clock: the same
        lambda since: User.objects.filter(date_joined__gte=since, last_login__lt=timezone.now()),
        # a LIKE pattern made of the argument
        lambda since: User.objects.filter(first_name__icontains=since.strftime("%Y")),
        # the argument chose the shape: it is in no parameter
        lambda since: User.objects.filter(is_active=since.year > 2000),
    ],
    ids=["derived", "own clock", "pattern", "shape"],
)
def test_a_shape_whose_parameters_are_not_its_arguments_is_not_kept(people, build):
    prepared = Prepared(build)
    since = timezone.now()
    assert not prepared.kept(since=since)
    assert prepared.run(since=since) == list(build(since))  # still right: built each time
    assert prepared.count(since=since) == build(since).count()


def test_a_signed_in_users_queryset_is_built_each_time_an_anonymous_one_kept(people):
    """A policy reads a signed-in user's roles while building (their ids become constants of the
    SQL): those shapes are never kept, whatever the check of the parameters says."""
    build = Counting(
        lambda user, group: (
            User.objects.filter(last_name=group)
            if user.is_authenticated
            else User.objects.filter(last_name=group, is_active=True)
        )
    )
    prepared = Prepared(build)
    assert prepared.kept(user=AnonymousUser(), group="a")
    assert not prepared.kept(user=people[0], group="a")
    before = build.calls
    assert len(prepared.run(user=people[0], group="a")) == 2
    assert len(prepared.run(user=people[0], group="a")) == 2
    assert build.calls == before + 2


def test_an_empty_match_runs_no_query(django_assert_num_queries):
    prepared = Prepared(lambda ids: User.objects.filter(pk__in=ids))
    with django_assert_num_queries(0):
        assert prepared.run(ids=()) == []


def test_first_per_group_kept_binds_its_values(people, django_assert_num_queries):
    prepared = FirstPerGroup(
        lambda since: User.objects.filter(date_joined__gte=since, pk__in=[p.pk for p in people]),
        model=User,
        group="last_name",
        order=[F("date_joined").desc()],
        n=1,
        count_as="in_group",
    )
    now = timezone.now()
    assert [(u.first_name, u.in_group) for u in prepared.run(since=now - timedelta(days=30))] == [
        ("Anna", 2),
        ("Carla", 2),
    ]
    with django_assert_num_queries(1):
        rows = prepared.run(since=now - timedelta(days=7))
    assert [(u.first_name, u.in_group) for u in rows] == [("Anna", 2)]


def test_any_matches_as_in_and_leaves_out_values_no_column_holds(people):
    ids = [p.pk for p in people[:3]]
    assert set(User.objects.filter(pk__any=ids)) == set(people[:3])
    assert set(User.objects.filter(pk__any=[*ids, 10**20])) == set(people[:3])
    assert not User.objects.filter(pk__any=[10**20]).exists()
    assert not User.objects.filter(pk__any=[]).exists()
    # on a foreign key too
    from tables.models import TableMembership

    assert not TableMembership.objects.filter(table_id__any=ids).exists()


@pytest.mark.postgres
def test_any_is_one_parameter_on_postgresql_so_a_page_of_ids_is_kept(people):
    prepared = Prepared(lambda ids: User.objects.filter(pk__any=ids).order_by("pk"))
    assert prepared.kept(ids=[1, 2, 3])
    with CaptureQueriesContext(connection) as queries:
        rows = prepared.run(ids=[people[4].pk, people[1].pk])
    assert rows == [people[1], people[4]]
    assert "= ANY(" in queries.captured_queries[0]["sql"]
    assert prepared.run(ids=[people[0].pk]) == [people[0]]


@pytest.mark.postgres
def test_the_public_lists_queries_are_kept():
    """The queries of the pages of issue 21 (home, tables, procedures, directory) are compiled
    once: a change that makes one of them depend on something else (the builder's own clock, a
    value derived from an argument) shows here, not only as a slower benchmark."""
    from ambito import selectors as ambito_selectors
    from entities.filters import _UNFILTERED
    from entities.selectors import directory
    from participation import selectors as participation_selectors
    from plans import contributions as plans_contributions
    from processes.selectors import lists as processes_lists
    from tables import selectors as tables_selectors

    anonymous, now, ids = AnonymousUser(), timezone.now(), (1, 2)
    kept = {
        "region ambiti": ambito_selectors._REGION_AMBITI.kept(),
        "ambiti named": ambito_selectors._AMBITI_NAMED.kept(),
        "open procedures by ambito": processes_lists._OPEN_BY_AMBITO.kept(
            user=anonymous, ambito_ids=ids, now=now
        ),
        "events by ambito": participation_selectors._UPCOMING_BY_AMBITO.kept(
            ambito_ids=ids, now=now
        ),
        "latest plan by ambito": plans_contributions._LATEST_PLAN.kept(
            user=anonymous, ambito_ids=ids
        ),
        "tables": tables_selectors._TABLES.kept(ambito_id=None, now=now),
        "tables of an ambito": tables_selectors._TABLES.kept(ambito_id=1, now=now),
        "table themes": tables_selectors._THEMES.kept(table_ids=[1, 2]),
        "table members shown": tables_selectors._SHOWN.kept(table_ids=[1, 2]),
        "procedures": processes_lists._PROCEDURE_ROWS.kept(
            user=anonymous, ambito_id=None, filtered=False
        ),
        "procedures by kind": processes_lists._PROCEDURE_ROWS.kept(
            user=anonymous, ambito_id=3, filtered=True, kind="coprogettazione", activity=4
        ),
        "procedures' activities": processes_lists._ACTIVITY_CODES.kept(procedure_ids=[1]),
        "ambiti with procedures": processes_lists._AMBITI_WITH_PROCEDURES.kept(user=anonymous),
        "directory": _UNFILTERED.kept(place_id=None),
        "directory activities": directory._ACTIVITIES.kept(entity_ids=[1]),
        "directory groups": directory._GROUPS.kept(entity_ids=[1]),
    }
    assert [name for name, is_kept in kept.items() if not is_kept] == []
