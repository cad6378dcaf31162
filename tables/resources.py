"""Spreadsheet exports of tables (core.spreadsheets writes the file in the chosen format)."""

from __future__ import annotations

from collections import defaultdict

import tablib
from django.utils import timezone
from django.utils.translation import gettext as _

from core.spreadsheets import dataset_of
from tables import selectors
from tables.models import Invitation, Meeting, Table, TableMembership


def _member_name(membership: TableMembership) -> str:
    if membership.entity_id:
        return membership.entity.name
    if membership.comune_id:
        return membership.comune.name
    return membership.delegate.display_name  # an expert sits in person


def members_attendance_dataset(table: Table) -> tablib.Dataset:
    """The table's active members, one row each, with the attendance of each convened meeting
    already held (one column a meeting, oldest first) and the count of meetings attended: the
    attendance register the office keeps. Three queries whatever the size of the table."""
    members = list(selectors.active_members().filter(table=table))
    meetings = list(
        table.meetings.filter(
            status=Meeting.Status.CONVENED, starts_at__lte=timezone.now()
        ).order_by("starts_at", "pk")
    )
    attendance: dict[tuple[int, int], str] = {}
    present: dict[int, int] = defaultdict(int)
    labels = dict(Invitation.Attendance.choices)
    for membership_id, meeting_id, value in Invitation.objects.filter(
        meeting__in=[m.pk for m in meetings], membership__in=[m.pk for m in members]
    ).values_list("membership_id", "meeting_id", "attendance"):
        attendance[(membership_id, meeting_id)] = str(labels.get(value, value))
        if value in (Invitation.Attendance.PRESENT, Invitation.Attendance.DELEGATED):
            present[membership_id] += 1
    headers = [
        _("Tipo"),
        _("Membro"),
        _("Codice fiscale dell'ente"),
        _("Delegato"),
        _("E-mail del delegato"),
        _("Sostituto"),
        _("Membro dal"),
        *[f"{timezone.localtime(m.starts_at):%d/%m/%Y} {m.title}" for m in meetings],
        _("Sedute con presenza"),
        _("Sedute tenute"),
    ]
    rows = []
    for member in members:
        rows.append(
            [
                member.get_kind_display(),
                _member_name(member),
                member.entity.tax_code if member.entity_id else "",
                member.delegate.display_name,
                member.delegate.email,
                member.substitute.display_name if member.substitute_id else "",
                member.decided_at or member.requested_at,
                *[attendance.get((member.pk, m.pk), "—") for m in meetings],
                present[member.pk],
                len(meetings),
            ]
        )
    return dataset_of(headers, rows, title=_("Membri e presenze"))
