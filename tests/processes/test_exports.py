"""The applications of a procedure as a spreadsheet (CSV for Italian Excel, XLSX, ODS): who may
download it, what is in it, and a constant number of queries."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
import tablib
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories.entities import EntityFactory
from tests.factories.processes import ApplicationFactory, ProcedureFactory

pytestmark = pytest.mark.django_db

ACCENTS = "Società cooperativa sociale àèìòù"


def _procedure(ambito, rup, status="admission", applications=2):
    procedure = ProcedureFactory(ambito=ambito, status=status, rup=rup)
    submitted = timezone.now() - timedelta(days=3)
    for i in range(applications):
        app = ApplicationFactory(
            procedure=procedure,
            entity=EntityFactory(ambito=ambito, name=ACCENTS if i == 0 else f"Ente {i}"),
            status="admitted",
            submitted_at=submitted,
            protocol_number=f"P-{i}",
            total_score=Decimal("72.50") if i == 0 else None,
            rank=1 if i == 0 else None,
        )
        app.partners.add(EntityFactory(ambito=ambito, name=f"Partner {i}"))
    ApplicationFactory(procedure=procedure, entity=EntityFactory(ambito=ambito, name="Bozza"))
    return procedure


def _url(procedure, fmt):
    return reverse("processes:applications_export", kwargs={"pk": procedure.pk}) + f"?formato={fmt}"


def test_the_rup_downloads_the_applications_in_three_formats(client_for, ambito, staff_user):
    procedure = _procedure(ambito, staff_user)
    client = client_for(staff_user)

    raw = client.get(_url(procedure, "csv")).content
    assert raw.startswith(b"\xef\xbb\xbf") and ACCENTS.encode() in raw
    rows = list(csv.reader(io.StringIO(raw[3:].decode(), newline=""), delimiter=";"))
    assert rows[0][:3] == ["Ente", "Codice fiscale", "Capofila"]
    assert rows[0][-2:] == ["Punteggio", "Posizione in graduatoria"]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Ente"] == ACCENTS and first["Partner"] == "Partner 0"
    assert first["Numero di protocollo"] == "P-0" and first["Stato"] == "Ammessa"
    assert first["Punteggio"] == "72,50"  # decimal comma for Excel in Italian
    assert "Bozza" not in raw.decode("utf-8-sig")  # a draft is not an application yet

    response = client.get(_url(procedure, "xlsx"))
    assert response["Content-Disposition"].endswith(f'domande-procedimento-{procedure.pk}.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    cells = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert cells["Ente"] == ACCENTS and cells["Punteggio"] == 72.5
    assert cells["Presentata il"].date() == timezone.localdate() - timedelta(days=3)
    assert sheet.max_row == 3

    book = tablib.Dataset().load(client.get(_url(procedure, "ods")).content, "ods")
    assert book.headers == header and book[0][0] == ACCENTS and len(book) == 2


@pytest.mark.parametrize(
    ("who", "before_results", "after_results"),
    [
        (None, "login", "login"),
        ("no_role_user", 403, 403),
        ("entity_admin", 403, 403),  # an applicant: not even its own application in the file
        ("comune_user", 403, 200),  # the ambito's staff: once the results are out
        ("staff_user", 200, 200),  # the RUP
        ("other_staff", 403, 403),  # another ambito's staff
    ],
)
def test_who_may_download(
    request, client_for, ambito, staff_user, entity, who, before_results, after_results
):
    user = request.getfixturevalue(who) if who else None
    for status, expected in (("admission", before_results), ("ranking_published", after_results)):
        procedure = _procedure(ambito, staff_user, status=status)
        ApplicationFactory(
            procedure=procedure, entity=entity, status="submitted", submitted_at=timezone.now()
        )
        response = client_for(user).get(_url(procedure, "csv"))
        if expected == "login":
            assert response.status_code == 302 and "/account/login/" in response["Location"]
        else:
            assert response.status_code == expected, (who, status)
        if expected != 200:
            assert ACCENTS.encode() not in response.content


def test_a_private_procedure_is_not_found(client_for, ambito, staff_user, other_staff):
    procedure = _procedure(ambito, staff_user, status="started")  # before the avviso
    assert client_for(other_staff).get(_url(procedure, "csv")).status_code == 404


@pytest.mark.parametrize("size", [2, 20])
def test_queries_do_not_grow_with_the_applications(
    client_for, ambito, staff_user, size, django_assert_max_num_queries
):
    procedure = _procedure(ambito, staff_user, applications=size)
    client = client_for(staff_user)
    client.get(_url(procedure, "xlsx"))  # sessions and caches warm
    with django_assert_max_num_queries(6):
        response = client.get(_url(procedure, "xlsx"))
    assert load_workbook(io.BytesIO(response.content)).active.max_row == size + 1
