"""core.queries: IntegerFieldIn (`pk__in` with values no integer column holds) and
first_per_group."""

import pytest
from django import forms
from django.core.exceptions import ValidationError

from core.models import User
from tests.factories.core import UserFactory

pytestmark = pytest.mark.django_db

HUGE = 10**20  # past a bigint: SQLite raised OverflowError for the whole query


def test_in_leaves_out_values_no_column_holds():
    user = UserFactory()
    assert list(User.objects.filter(pk__in=[HUGE, user.pk, -HUGE])) == [user]
    assert not User.objects.filter(pk__in=[HUGE]).exists()
    assert User.objects.exclude(pk__in=[HUGE]).filter(pk=user.pk).exists()


def test_a_multiple_choice_posted_with_a_huge_key_is_a_form_error():
    user = UserFactory()
    field = forms.ModelMultipleChoiceField(queryset=User.objects.all())
    assert list(field.clean([str(user.pk)])) == [user]
    with pytest.raises(ValidationError):
        field.clean([str(user.pk), str(HUGE)])


def test_first_per_group_is_the_window_filter_compiled_once(django_assert_num_queries):
    """The first n of each group in order (ties by the next key), with each group's size, the
    same rows as filtering ROW_NUMBER() with the ORM, in one query."""
    from django.db.models import Count, F, Window
    from django.db.models.functions import RowNumber

    from core.queries import first_per_group

    users = [
        UserFactory(first_name=name, last_name=group)
        for group, names in (("a", "qpqz"), ("b", "y"), ("c", ""))
        for name in names
    ]
    qs = User.objects.filter(pk__in=[u.pk for u in users]).exclude(first_name="z")
    order = [F("first_name").desc(), F("pk").asc()]
    with django_assert_num_queries(1):
        rows = first_per_group(qs, group="last_name", order=order, n=2, count_as="size")
    orm = (
        qs.annotate(
            rank=Window(RowNumber(), partition_by=F("last_name"), order_by=order),
            size=Window(Count("pk"), partition_by=F("last_name")),
        )
        .filter(rank__lte=2)
        .order_by("last_name", "rank")
    )
    assert [(u.pk, u.size) for u in rows] == [(u.pk, u.size) for u in orm]
    # group a: q, p, q (z left out); by name descending, the two q's, the lower key first
    assert [(u.last_name, u.first_name, u.pk, u.size) for u in rows] == [
        ("a", "q", users[0].pk, 3),
        ("a", "q", users[2].pk, 3),
        ("b", "y", users[4].pk, 1),
    ]


def test_first_per_group_of_nothing_is_empty_without_a_query(django_assert_num_queries):
    from django.db.models import F

    from core.queries import first_per_group

    with django_assert_num_queries(0):
        assert (
            first_per_group(User.objects.filter(pk__in=[]), group="last_name", order=[F("pk")], n=3)
            == []
        )


def test_first_values_per_group_are_the_window_filters_values(django_assert_num_queries):
    """The same rows as the ORM's window filter, as tuples of the fields asked for (two of them
    named alike through different relations), in one query; nothing asked, no query."""
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber

    from core.queries import FirstPerGroup

    def first_values_per_group(qs, **arguments):
        return FirstPerGroup(lambda: qs, model=User, **arguments).once()

    users = [
        UserFactory(first_name=name, last_name=group)
        for group, names in (("a", "qpq"), ("b", "y"))
        for name in names
    ]
    qs = User.objects.filter(pk__in=[u.pk for u in users])
    order = [F("first_name").asc(), F("pk").desc()]
    fields = ("last_name", "pk", "first_name", "email")
    with django_assert_num_queries(1):
        rows = first_values_per_group(qs, group="last_name", order=order, n=2, fields=fields)
    orm = (
        qs.annotate(rank=Window(RowNumber(), partition_by=F("last_name"), order_by=order))
        .filter(rank__lte=2)
        .order_by("last_name", "rank")
        .values_list(*fields)
    )
    assert rows == list(orm)
    assert [(last, first) for last, _pk, first, _email in rows] == [
        ("a", "p"),
        ("a", "q"),
        ("b", "y"),
    ]
    with django_assert_num_queries(0):
        assert (
            first_values_per_group(
                User.objects.filter(pk__in=[]), group="last_name", order=order, n=2, fields=fields
            )
            == []
        )
