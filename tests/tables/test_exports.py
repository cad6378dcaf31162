"""A table's members and attendance register as a spreadsheet (CSV for Italian Excel, XLSX,
ODS): who may download it, what is in it, and a constant number of queries."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import tablib
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tables.models import Invitation, Meeting
from tests.factories.entities import EntityFactory
from tests.factories.tables import InvitationFactory, MeetingFactory, MembershipFactory

pytestmark = pytest.mark.django_db

ACCENTS = "Società cooperativa sociale àèìòù"


def _held(table, days_ago: int, title: str) -> Meeting:
    start = (timezone.now() - timedelta(days=days_ago)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    return MeetingFactory(
        table=table,
        title=title,
        status=Meeting.Status.CONVENED,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )


def _register(table, seat, extra_members: int = 0):
    """Two meetings held (the seat present at the first, justified at the second), one to come
    and a draft (neither in the register)."""
    first, second = _held(table, 20, "Avvio"), _held(table, 5, "Bisogni")
    MeetingFactory(table=table, title="Futura", status=Meeting.Status.CONVENED)
    MeetingFactory(table=table, title="Bozza", starts_at=timezone.now() - timedelta(days=1))
    for meeting, attendance in (
        (first, Invitation.Attendance.PRESENT),
        (second, Invitation.Attendance.ABSENT_JUSTIFIED),
    ):
        InvitationFactory(meeting=meeting, membership=seat, attendance=attendance)
    for _ in range(extra_members):
        member = MembershipFactory(table=table, entity=EntityFactory(ambito=table.ambito))
        InvitationFactory(meeting=first, membership=member, attendance=Invitation.Attendance.ABSENT)
    return first, second


def _url(table, fmt):
    return reverse("tables:members_export", kwargs={"pk": table.pk}) + f"?formato={fmt}"


def test_the_register_in_three_formats(client_for, staff_user, table, seat, entity):
    entity.name = ACCENTS
    entity.save(update_fields=["name"])
    first, second = _register(table, seat)
    client = client_for(staff_user)
    day = f"{timezone.localtime(first.starts_at):%d/%m/%Y}"
    day2 = f"{timezone.localtime(second.starts_at):%d/%m/%Y}"

    raw = client.get(_url(table, "csv")).content
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw[3:].decode(), newline=""), delimiter=";"))
    assert rows[0] == [
        "Tipo", "Membro", "Codice fiscale dell'ente", "Delegato", "E-mail del delegato",
        "Sostituto", "Membro dal", f"{day} Avvio", f"{day2} Bisogni", "Sedute con presenza",
        "Sedute tenute",
    ]  # fmt: skip
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Membro"] == ACCENTS and row["Tipo"] == "Ente"
    assert row["Delegato"] == seat.delegate.display_name
    assert row["Sostituto"] == seat.substitute.display_name
    assert row[f"{day} Avvio"] == "Presente" and row[f"{day2} Bisogni"] == "Assente giustificato"
    assert (row["Sedute con presenza"], row["Sedute tenute"]) == ("1", "2")

    response = client.get(_url(table, "xlsx"))
    assert response["Content-Disposition"].endswith('membri-presenze-inclusione.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(2, 2).value == ACCENTS
    assert sheet.cell(2, 10).value == 1 and sheet.cell(2, 10).data_type == "n"

    book = tablib.Dataset().load(client.get(_url(table, "ods")).content, "ods")
    assert book[0][1] == ACCENTS and book[0][7] == "Presente"


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (None, "login"),
        ("no_role_user", 403),  # a public table: its page, not its register
        ("entity_delegate", 403),  # a member reads the table, does not manage it
        ("comune_user", 403),
        ("staff_user", 200),  # the Ufficio di Piano manages the ambito's tables
        ("other_staff", 403),
        ("superuser", 200),
    ],
)
def test_who_may_download(request, client_for, table, seat, who, expected):
    _register(table, seat)
    user = request.getfixturevalue(who) if who else None
    response = client_for(user).get(_url(table, "csv"))
    if expected == "login":
        assert response.status_code == 302 and "/account/login/" in response["Location"]
        return
    assert response.status_code == expected
    if expected != 200:
        assert seat.delegate.email.encode() not in response.content


@pytest.mark.parametrize("size", [1, 15])
def test_queries_do_not_grow_with_members_and_meetings(
    client_for, staff_user, table, seat, size, django_assert_max_num_queries
):
    _register(table, seat, extra_members=size)
    for i in range(size):
        _held(table, 30 + i, f"Seduta {i}")
    client = client_for(staff_user)
    client.get(_url(table, "xlsx"))
    with django_assert_max_num_queries(10):
        response = client.get(_url(table, "xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == size + 2 and sheet.max_column == 7 + 2 + size + 2
