"""Benchmark data of tables (tables/bench.py): meetings with agendas, invitations, attendance and
minutes, and the minutes PDF measured through the real template."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from tables import bench
from tables.minutes_pdf import MINUTES_PDF_TEMPLATE
from tables.models import (
    AgendaItem,
    Invitation,
    Meeting,
    Minutes,
    MinutesVersion,
    TableMembership,
)

pytestmark = pytest.mark.django_db


def test_seed_meetings_with_agendas_attendance_and_minutes():
    call_command("bench_seed", "--scale", "0.01", verbosity=0)
    now = timezone.now()
    meetings = Meeting.objects.annotate(items=Count("agenda_items"))
    assert meetings.exists() and {m.items for m in meetings} == {bench.AGENDA_ITEMS}
    members = TableMembership.objects.filter(status="active").count()
    guests = Invitation.objects.filter(user__isnull=True).count()
    assert guests == bench.GUESTS
    assert Invitation.objects.count() == members * bench.MEETINGS_PER_TABLE + guests
    held = Meeting.objects.filter(ends_at__lt=now)
    assert Minutes.objects.count() == held.count()
    assert not Invitation.objects.filter(meeting__in=held, attendance="").exists()
    approved = Minutes.objects.filter(status="approved")
    assert approved.exists() and Minutes.objects.exclude(status="approved").exists()
    assert not approved.filter(approved_at__isnull=True).exists()
    assert not AgendaItem.objects.filter(meeting__in=held, summary="").exists()

    # approved minutes have their version 1, frozen as approval stores it
    assert set(MinutesVersion.objects.values_list("minutes_id", flat=True)) == set(
        approved.values_list("pk", flat=True)
    )
    template, context = bench.pdf_documents()["minutes"]()
    assert template == MINUTES_PDF_TEMPLATE
    record = context["record"]
    assert record["version"]["number"] == 1
    assert len(record["agenda"]) == bench.AGENDA_ITEMS
    seats = TableMembership.objects.filter(table_id=record["table"]["id"], status="active")
    assert len(record["attendance"]) == seats.count() + bench.GUESTS
