"""Approved minutes name the people present: the public reads them for the stated years (from
1 January of the year after approval, Garante 2014, d.lgs. 33/2013 art. 8), then only the
table's members and the ambito's staff do."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tables import services
from tables.models import Minutes
from tests.factories.core import UserFactory
from tests.factories.tables import MeetingFactory, MembershipFactory, MinutesFactory, TableFactory

pytestmark = pytest.mark.django_db


def _approved_on(table, when):
    meeting = MeetingFactory(
        table=table,
        status="convened",
        starts_at=when - timedelta(days=7),
        ends_at=when - timedelta(days=7) + timedelta(hours=2),
    )
    # approved through the service (its record frozen as version 1), dated `when`
    minutes = MinutesFactory(meeting=meeting)
    services.minutes_approve(minutes=minutes, actor=UserFactory(is_superuser=True))
    Minutes.objects.filter(pk=minutes.pk).update(approved_at=when)
    return meeting


@pytest.mark.parametrize("years", [5, 2])
def test_minutes_leave_public_consultation_after_the_stated_years(
    settings, client, client_for, ambito, staff_user, years
):
    settings.RETENTION_MINUTES_ONLINE_YEARS = years
    table = TableFactory(ambito=ambito)
    member = MembershipFactory(table=table).delegate
    tz = timezone.get_current_timezone()
    this_year = timezone.localdate().year
    # approved in the last day of year Y: online until 31 December of Y + years
    still_online = _approved_on(table, datetime(this_year - years, 1, 1, 0, 1, tzinfo=tz))
    withdrawn = _approved_on(table, datetime(this_year - years - 1, 12, 31, 23, 59, tzinfo=tz))

    for url_name in ("tables:minutes_detail", "tables:minutes_pdf"):
        assert client.get(reverse(url_name, args=[withdrawn.pk])).status_code == 404
    online = client.get(reverse("tables:minutes_detail", args=[still_online.pk]))
    assert online.status_code == 200 and still_online.title in online.content.decode()
    for reader in (member, staff_user):
        response = client_for(reader).get(reverse("tables:minutes_detail", args=[withdrawn.pk]))
        assert response.status_code == 200
