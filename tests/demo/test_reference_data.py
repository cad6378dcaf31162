"""The reference lists come back when a test finds either kind gone (tests/reference_data.py):
the demo story's module fixture failed on a missing national fund ("fnps") while the activities
were there."""

import pytest

from entities.models import Activity
from plans.models import FundingSource
from tests.reference_data import ensure_reference_data


@pytest.mark.django_db
def test_the_funding_sources_come_back_when_only_they_are_gone():
    FundingSource.objects.filter(ambito=None).delete()
    assert Activity.objects.exists()
    ensure_reference_data()
    assert FundingSource.objects.get(ambito=None, code="fnps").name.startswith("FNPS")


@pytest.mark.django_db
def test_the_activities_come_back_when_only_they_are_gone():
    Activity.objects.all().delete()
    ensure_reference_data()
    assert Activity.objects.filter(code="a").exists()
