"""Proposals as a spreadsheet (CSV for Italian Excel, XLSX, ODS): for the ambito's staff and the
tables' members, each getting only the proposals they may read; constant queries."""

from __future__ import annotations

import csv
import io

import pytest
import tablib
from django.urls import reverse
from openpyxl import load_workbook

from participation.models import Proposal
from tests.factories.participation import ProposalFactory
from tests.factories.tables import TableFactory

pytestmark = pytest.mark.django_db

ACCENTS = "Società cooperativa sociale àèìòù"
URL = reverse("participation:proposal_export")


def test_staff_download_the_proposals_in_three_formats(client_for, staff_user, proposal):
    proposal.title = ACCENTS
    proposal.answer = "Accolta: entra nel Piano di Zona."
    proposal.status = Proposal.Status.ACCEPTED
    proposal.save()
    client = client_for(staff_user)

    raw = client.get(URL, {"formato": "csv"}).content
    assert raw.startswith(b"\xef\xbb\xbf") and ACCENTS.encode() in raw
    rows = list(csv.reader(io.StringIO(raw[3:].decode(), newline=""), delimiter=";"))
    assert rows[0][:3] == ["Titolo", "Stato", "Tavolo"]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Titolo"] == ACCENTS and row["Stato"] == "Accolta"
    assert row["Tavolo"] == proposal.table.name and row["Autore"] == proposal.author.display_name
    assert row["Risposta ufficiale"] == "Accolta: entra nel Piano di Zona."
    assert (row["Sostegni"], row["Commenti"]) == ("0", "0")

    sheet = load_workbook(io.BytesIO(client.get(URL, {"formato": "xlsx"}).content)).active
    assert sheet.cell(2, 1).value == ACCENTS and sheet.cell(2, 9).data_type == "n"
    book = tablib.Dataset().load(client.get(URL, {"formato": "ods"}).content, "ods")
    assert book[0][0] == ACCENTS


def test_the_list_filters_apply(client_for, staff_user, proposal, table):
    ProposalFactory(table=table, title="Un'altra", status=Proposal.Status.NOT_ACCEPTED)
    raw = client_for(staff_user).get(URL, {"formato": "csv", "status": "not_accepted"}).content
    assert b"Un'altra" in raw and proposal.title.encode() not in raw


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (None, "login"),
        ("no_role_user", 403),  # seated at no table
        ("entity_admin", 200),  # a member of the proposal's table (fixture `member`)
        ("comune_user", 200),  # the ambito's staff
        ("staff_user", 200),
        ("other_staff", 200),  # another ambito's staff: downloads, but not this proposal
    ],
)
def test_who_may_download_and_what(request, client_for, proposal, member, who, expected):
    user = request.getfixturevalue(who) if who else None
    response = client_for(user).get(URL, {"formato": "csv"})
    if expected == "login":
        assert response.status_code == 302 and "/account/login/" in response["Location"]
        return
    assert response.status_code == expected
    sees = expected == 200 and who != "other_staff"
    assert (proposal.title.encode() in response.content) is sees


def test_an_author_alone_may_not_download(client_for, ambito):
    """Someone who wrote a proposal but sits at no table (left it) and is no staff: 403."""
    from tests.factories.core import UserFactory

    author = UserFactory()
    ProposalFactory(table=TableFactory(ambito=ambito), author=author)
    assert client_for(author).get(URL).status_code == 403


@pytest.mark.parametrize("size", [2, 25])
def test_queries_do_not_grow_with_the_proposals(
    client_for, staff_user, table, size, django_assert_max_num_queries
):
    for _ in range(size):
        ProposalFactory(table=table)
    client = client_for(staff_user)
    client.get(URL, {"formato": "xlsx"})
    with django_assert_max_num_queries(8):
        response = client.get(URL, {"formato": "xlsx"})
    assert load_workbook(io.BytesIO(response.content)).active.max_row == size + 1


def test_the_list_offers_the_three_downloads_with_its_filters(client_for, staff_user, proposal):
    html = (
        client_for(staff_user)
        .get(reverse("participation:proposal_list"), {"status": "accepted", "page": "1"})
        .content.decode()
    )
    for fmt in ("csv", "xlsx", "ods"):
        assert f'href="{URL}?status=accepted&amp;formato={fmt}"' in html


def test_the_list_offers_no_download_to_who_may_not(client_for, no_role_user):
    html = client_for(no_role_user).get(reverse("participation:proposal_list")).content.decode()
    assert URL not in html
