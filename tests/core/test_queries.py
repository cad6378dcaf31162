"""core.queries.IntegerFieldIn: `pk__in` with values no integer column holds."""

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
