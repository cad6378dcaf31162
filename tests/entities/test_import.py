from __future__ import annotations

import io
import time

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import AuditEvent
from entities import selectors
from entities.models import Entity
from tests.factories.ambito import ComuneFactory
from tests.factories.entities import EntityFactory, valid_tax_code

pytestmark = pytest.mark.django_db

HEADERS = [
    "denominazione", "codice_fiscale", "partita_iva", "forma_giuridica", "sezione_runts", "stato_runts",
    "numero_repertorio", "data_iscrizione", "indirizzo", "cap", "comune_sede", "pec", "email", "telefono",
    "sito_web", "legale_rappresentante", "attivita", "aree_utenza", "comuni_operativita", "volontari",
    "dipendenti", "descrizione",
]  # fmt: skip


@pytest.fixture
def fano(db):
    return ComuneFactory(name="Fano", istat_code="041013")


def row(n: int, comune="041013", **overrides) -> list[str]:
    values = {
        "denominazione": f"Associazione Importata {n}",
        "codice_fiscale": valid_tax_code(10_000 + n),
        "partita_iva": "",
        "forma_giuridica": "odv",
        "sezione_runts": "a",
        "stato_runts": "iscritto",
        "numero_repertorio": f"IMP{n:05d}",
        "data_iscrizione": "15/03/2023",
        "indirizzo": "Via Roma 1",
        "cap": "61032",
        "comune_sede": comune,
        "pec": "",
        "email": f"imp{n}@example.org",
        "telefono": "",
        "sito_web": "",
        "legale_rappresentante": "Mario Rossi",
        "attivita": "a, u",
        "aree_utenza": "anziani",
        "comuni_operativita": comune,
        "volontari": "10",
        "dipendenti": "0",
        "descrizione": "",
    }
    values.update(overrides)
    return [values[h] for h in HEADERS]


def csv_file(rows) -> SimpleUploadedFile:
    import csv

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return SimpleUploadedFile("enti.csv", buf.getvalue().encode("utf-8"), content_type="text/csv")


def xlsx_file(rows) -> SimpleUploadedFile:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("enti.xlsx", buf.getvalue())


def _post_import(client, upload, ambito, *, dry: bool):
    """Upload the file; the import runs in the background (here: Celery eager, after commit);
    the page the upload redirects to shows its outcome."""
    data = {"file": upload, "ambito": ambito.pk, **({"dry_run": "on"} if dry else {})}
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("entities:import"), data)
    if response.status_code == 302 and response["Location"].startswith(reverse("entities:import")):
        return client.get(response["Location"])
    return response


def dry_run(client, upload, ambito):
    return _post_import(client, upload, ambito, dry=True)


def import_now(client, upload, ambito):
    return _post_import(client, upload, ambito, dry=False)


def _confirm(client, response, ambito=None):
    """Import for real the file of the dry run shown in `response` (a redirect to its job)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            reverse("entities:import_confirm", kwargs={"pk": response.context["job"].pk})
        )


def file_errors(response) -> str:
    """The reasons a file could not be read: a form error (checked at upload), or the failure
    of its job (read in the background)."""
    errors = list(response.context["form"].errors.get("file", []))
    return " ".join(errors + list(response.context.get("file_errors") or []))


def test_dry_run_writes_nothing_then_confirm_writes_all(client_for, staff_user, ambito, fano):
    existing = EntityFactory(
        ambito=ambito, tax_code=valid_tax_code(10_003), name="Vecchio nome", runts_number="IMP00003"
    )
    client = client_for(staff_user)
    before = Entity.objects.count()
    response = dry_run(client, xlsx_file([row(1), row(2), row(3)]), ambito)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r["type"] for r in rows] == ["new", "new", "update"]
    assert response.context["ok"] is True
    assert Entity.objects.count() == before
    existing.refresh_from_db()
    assert existing.name == "Vecchio nome"
    assert fano.istat_code not in dict(selectors.directory_choices()["comuni"])
    response = _confirm(client, response)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Importazione completata: 2 enti creati, 1 aggiornati." in page
    assert Entity.objects.count() == before + 2
    # bulk writes send no signals: the import drops the directory's cached options itself
    assert fano.istat_code in dict(selectors.directory_choices()["comuni"])
    existing.refresh_from_db()
    assert existing.name == "Associazione Importata 3"
    created = Entity.objects.get(name="Associazione Importata 1")
    assert created.status == Entity.Status.VERIFIED and created.ambito == ambito
    assert sorted(created.activities.values_list("code", flat=True)) == ["a", "u"]
    assert list(created.operating_comuni.all()) == [fano]
    assert list(created.target_groups.values_list("code", flat=True)) == ["anziani"]
    assert AuditEvent.objects.filter(action="entities.entity.imported").count() == 2
    assert AuditEvent.objects.filter(action="entities.entity.import_updated").count() == 1


def test_every_error_reported_per_row_and_confirm_impossible(client_for, staff_user, ambito, fano):
    bad_cf = valid_tax_code(10_050)[:10] + str((int(valid_tax_code(10_050)[10]) + 1) % 10)
    rows = [
        row(1),
        row(2, codice_fiscale=bad_cf),
        row(3, comune_sede="999999"),
        row(4, attivita="a, zz"),
        row(5, codice_fiscale=valid_tax_code(10_001)),  # duplicate of row 1
    ]
    response = dry_run(client_for(staff_user), csv_file(rows), ambito)
    result = response.context["rows"]
    assert response.context["ok"] is False
    assert "Importa il file" not in response.content.decode()
    # a dry run with errors cannot be confirmed, even by posting to its confirmation
    refused = _confirm(client_for(staff_user), response)
    assert refused.status_code == 302 and refused["Location"] == reverse("entities:import")
    errors = {r["number"]: " ".join(r["errors"]) for r in result}
    assert errors[1] == ""
    assert "cifra di controllo" in errors[2]
    assert "Comune sconosciuto" in errors[3]
    assert "attività sconosciuta" in errors[4]
    assert "duplicato" in errors[5]
    assert not Entity.objects.filter(name__startswith="Associazione Importata").exists()


def test_confirm_is_all_or_nothing(client_for, staff_user, ambito, fano):
    """If the data changed between dry run and confirmation so that a row fails, nothing is written."""
    client = client_for(staff_user)
    response = dry_run(client, csv_file([row(1), row(2)]), ambito)
    EntityFactory(
        ambito=ambito, runts_number="IMP00002"
    )  # someone took row 2's RUNTS number meanwhile
    response = client.get(_confirm(client, response)["Location"])
    assert response.status_code == 200
    assert "nessun ente è stato scritto" in response.content.decode()
    assert [(r["number"] + 1, r["type"]) for r in response.context["rows"] if r["errors"]] == [
        (3, "invalid")
    ]
    assert not Entity.objects.filter(name__startswith="Associazione Importata").exists()
    assert not AuditEvent.objects.filter(action="entities.entity.imported").exists()


def test_missing_columns_reported(client_for, staff_user, ambito):
    upload = SimpleUploadedFile("enti.csv", b"nome,cf\nx,y\n", content_type="text/csv")
    response = dry_run(client_for(staff_user), upload, ambito)
    assert "Mancano le colonne" in response.content.decode()


def test_wrong_extension(client_for, staff_user, ambito):
    response = dry_run(client_for(staff_user), SimpleUploadedFile("enti.pdf", b"%PDF"), ambito)
    assert "csv" in file_errors(response)


def test_template_download_as_xlsx_csv_and_ods(client_for, staff_user):
    client = client_for(staff_user)
    response = client.get(reverse("entities:import_template"))
    assert response["Content-Disposition"] == 'attachment; filename="modello-import-enti.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:3] == ["denominazione", "codice_fiscale", "partita_iva"]
    assert sheet.cell(2, 1).value == "Associazione Esempio ODV"
    response = client.get(reverse("entities:import_template"), {"formato": "csv"})
    assert response.content.decode("utf-8-sig").startswith("denominazione;codice_fiscale;")
    response = client.get(reverse("entities:import_template"), {"formato": "ods"})
    assert tablib.Dataset().load(response.content, "ods")[0][0] == "Associazione Esempio ODV"


def test_large_import_is_fast(ambito, fano, staff_user):
    """10,000 rows in bulk: a constant number of queries per batch, seconds rather than minutes."""
    import tablib

    from entities.resources import EntityResource

    dataset = tablib.Dataset(*[row(i) for i in range(10_000)], headers=HEADERS)
    started = time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        result = EntityResource(ambito=ambito, actor=staff_user).import_data(
            dataset, dry_run=False, use_transactions=True
        )
    elapsed = time.monotonic() - started
    assert not result.has_errors() and not result.has_validation_errors()
    assert Entity.objects.filter(name__startswith="Associazione Importata").count() == 10_000
    assert AuditEvent.objects.filter(action="entities.entity.imported").count() == 10_000
    assert (
        len(queries.captured_queries) < 1000
    )  # batches (SQLite splits them more), never a query per row
    assert elapsed < 120  # about 11 s on PostgreSQL


# --- an import touches only the entities of the importer's own ambiti -----------------------
REFUSED_ROW = "Questo codice fiscale non può essere importato qui: togli la riga dal file."


def _entity_state(entity):
    return Entity.objects.filter(pk=entity.pk).values().get()


def test_import_of_another_ambito_cannot_touch_its_entities(
    client_for, other_staff, other_ambito, ambito, fano
):
    """The Ufficio di Piano of ambito B imports a file naming ambito A's entities (verified and
    pending) by tax code: those rows are refused, the dry run shows nothing of them, and the
    confirmation (even of the stored file) writes nothing."""
    verified = EntityFactory(
        ambito=ambito,
        tax_code=valid_tax_code(10_001),
        name="Ente riservato di A",
        email="riservato@ente-a.example.org",
        legal_representative="Rappresentante Segreto",
        runts_number="IMP00001",
    )
    pending = EntityFactory(
        ambito=ambito,
        status=Entity.Status.PENDING,
        tax_code=valid_tax_code(10_002),
        name="Ente in attesa di A",
        email="attesa@ente-a.example.org",
        runts_number="IMP00002",
    )
    before = [_entity_state(verified), _entity_state(pending)]
    events_before = AuditEvent.objects.count()
    client = client_for(other_staff)

    response = dry_run(client, csv_file([row(1), row(2), row(3)]), other_ambito)

    assert response.status_code == 200
    assert response.context["ok"] is False
    errors = {r["number"]: r["errors"] for r in response.context["rows"]}
    assert errors == {
        1: [f"codice_fiscale: {REFUSED_ROW}"],
        2: [f"codice_fiscale: {REFUSED_ROW}"],
        3: [],
    }
    content = response.content.decode()
    for secret in (
        "Ente riservato di A",
        "riservato@ente-a.example.org",
        "Rappresentante Segreto",
        "Ente in attesa di A",
        ambito.name,
    ):
        assert secret not in content
    assert [r["type"] for r in response.context["rows"]] == ["invalid", "invalid", "new"]

    assert _confirm(client, response)["Location"] == reverse("entities:import")  # refused
    response = import_now(client, csv_file([row(1), row(2), row(3)]), other_ambito)

    assert "nessun ente è stato scritto" in response.content.decode()
    assert [_entity_state(verified), _entity_state(pending)] == before
    assert AuditEvent.objects.count() == events_before
    assert not Entity.objects.filter(name="Associazione Importata 3").exists()


def test_import_refuses_an_ambito_the_user_does_not_manage(client_for, other_staff, ambito, fano):
    response = dry_run(client_for(other_staff), csv_file([row(1)]), ambito)
    assert response.status_code == 403
    assert not Entity.objects.filter(name="Associazione Importata 1").exists()


def test_runts_number_of_another_ambito_is_not_revealed(
    client_for, other_staff, other_ambito, ambito, fano
):
    owner = EntityFactory(ambito=ambito, tax_code=valid_tax_code(20_000), runts_number="IMP00001")
    response = dry_run(client_for(other_staff), csv_file([row(1)]), other_ambito)
    message = " ".join(response.context["rows"][0]["errors"])
    assert "IMP00001" in message and "altro ente" in message
    assert owner.tax_code not in response.content.decode()


def test_runts_number_of_an_own_entity_names_its_tax_code(client_for, staff_user, ambito, fano):
    owner = EntityFactory(ambito=ambito, tax_code=valid_tax_code(20_000), runts_number="IMP00001")
    response = dry_run(client_for(staff_user), csv_file([row(1)]), ambito)
    assert owner.tax_code in " ".join(response.context["rows"][0]["errors"])


def test_updates_are_audited_in_each_entitys_own_ambito(ambito, other_ambito, fano):
    """A coordinator of two ambiti imports into one of them and updates an entity of the other:
    the update's audit row belongs to the entity's ambito, with what changed."""
    import tablib

    from ambito.models import StaffRole
    from entities.resources import EntityResource
    from tests.factories.ambito import StaffRoleFactory

    user = StaffRoleFactory(ambito=ambito, role=StaffRole.Role.COORDINATOR).user
    StaffRoleFactory(ambito=other_ambito, role=StaffRole.Role.OPERATOR, user=user)
    elsewhere = EntityFactory(
        ambito=other_ambito,
        tax_code=valid_tax_code(10_001),
        name="Vecchio nome",
        runts_number="IMP00001",
    )
    dataset = tablib.Dataset(row(1), row(2), headers=HEADERS)

    result = EntityResource(ambito=ambito, actor=user).import_data(dataset, use_transactions=True)

    assert not result.has_errors() and not result.has_validation_errors()
    elsewhere.refresh_from_db()
    assert elsewhere.name == "Associazione Importata 1" and elsewhere.ambito == other_ambito
    update = AuditEvent.objects.get(action="entities.entity.import_updated")
    assert update.ambito_id == other_ambito.pk and update.object_id == str(elsewhere.pk)
    assert update.changes["name"] == {"before": "Vecchio nome", "after": "Associazione Importata 1"}
    assert update.changes["email"]["after"] == "imp1@example.org"
    assert update.changes["target_groups"] == {"before": [], "after": ["Anziani"]}
    created = AuditEvent.objects.get(action="entities.entity.imported")
    assert created.ambito_id == ambito.pk


def test_superuser_updates_the_entities_of_any_ambito(
    client_for, superuser, ambito, other_ambito, fano
):
    elsewhere = EntityFactory(
        ambito=ambito, tax_code=valid_tax_code(10_001), runts_number="IMP00001"
    )
    client = client_for(superuser)
    response = dry_run(client, csv_file([row(1)]), other_ambito)
    assert response.context["ok"] is True
    assert response.context["rows"][0]["type"] == "update"
    assert _confirm(client, response, other_ambito).status_code == 302
    elsewhere.refresh_from_db()
    assert elsewhere.name == "Associazione Importata 1" and elsewhere.ambito == ambito
    assert AuditEvent.objects.get(action="entities.entity.import_updated").ambito_id == ambito.pk


@pytest.mark.parametrize(
    "persona, expected",
    [
        (None, "login"),
        ("no_role_user", 403),
        ("entity_admin", 403),
        ("comune_user", 403),
        ("other_staff", "refused"),
        ("staff_user", "updated"),
        ("superuser", "updated"),
    ],
)
def test_import_as_every_persona(
    request, client_for, ambito, other_ambito, fano, persona, expected
):
    """Dry run and confirmation of one real file (a new entity and an update of ambito A's
    entity), each persona importing into its own ambito (A for A's staff)."""
    target = EntityFactory(ambito=ambito, tax_code=valid_tax_code(10_001), runts_number="IMP00001")
    user = request.getfixturevalue(persona) if persona else None
    own_ambito = other_ambito if persona == "other_staff" else ambito
    before = _entity_state(target)
    client = client_for(user)

    response = dry_run(client, csv_file([row(1), row(2)]), own_ambito)

    if expected == "login":
        assert response.status_code == 302 and "/account/login/" in response["Location"]
    elif expected == 403:
        assert response.status_code == 403
    else:
        assert response.status_code == 200
        if response.context["ok"]:
            response = _confirm(client, response)
    target.refresh_from_db()
    if expected == "updated":
        assert response.status_code == 302
        assert target.name == "Associazione Importata 1"
        assert Entity.objects.filter(name="Associazione Importata 2", ambito=own_ambito).exists()
    else:
        assert _entity_state(target) == before
        assert not Entity.objects.filter(name="Associazione Importata 2").exists()


# --- the uploaded file is checked before it is read, and read as a stream -------------------
def _with_member(xlsx: SimpleUploadedFile, name: str, data: bytes) -> SimpleUploadedFile:
    import zipfile

    buffer = io.BytesIO(xlsx.read())
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return SimpleUploadedFile("enti.xlsx", buffer.getvalue())


def test_xlsx_zip_bomb_refused_before_it_is_read(client_for, staff_user, ambito, fano):
    """A member that inflates 1000 times (5 MB of zeros) makes the archive anomalous: refused
    like every other upload (core.uploads), and no row is read."""
    bomb = _with_member(xlsx_file([row(1)]), "xl/media/padding.bin", b"\0" * (5 * 1024 * 1024))
    response = dry_run(client_for(staff_user), bomb, ambito)
    assert "anomalo" in file_errors(response)
    assert response.context.get("rows") is None and response.context.get("job") is None


def test_csv_content_behind_an_xlsx_name_refused(client_for, staff_user, ambito, fano):
    upload = SimpleUploadedFile("enti.xlsx", csv_file([row(1)]).read())
    response = dry_run(client_for(staff_user), upload, ambito)
    assert "non corrisponde al suo contenuto" in file_errors(response)


@pytest.mark.parametrize("make", [csv_file, xlsx_file], ids=["csv", "xlsx"])
def test_more_rows_than_the_limit_refused_with_a_clear_message(
    client_for, staff_user, ambito, fano, make
):
    rows = [row(i) for i in range(10_001)]
    response = dry_run(client_for(staff_user), make(rows), ambito)
    assert response.context["file_errors"] == [
        "Il file ha più di 10.000 righe: al massimo 10.000 per volta. Dividilo in più file."
    ]
    assert response.context.get("rows") is None
    assert "Il file ha più di 10.000 righe" in response.content.decode()


def test_xlsx_rows_are_streamed_and_reading_stops_at_the_limit(
    client_for, staff_user, ambito, fano, monkeypatch
):
    """The workbook is opened read-only and rows are pulled one at a time: with a limit of 50,
    a 2,000-row file is refused after 52 rows (header, 50, the one too many)."""
    import openpyxl

    from core import spreadsheets

    pulled = []
    real_load = openpyxl.load_workbook

    def counting_load(*args, **kwargs):
        assert kwargs.get("read_only") is True
        workbook = real_load(*args, **kwargs)
        sheet = workbook.active
        real_iter = sheet.iter_rows

        def iter_rows(*a, **kw):
            for values in real_iter(*a, **kw):
                pulled.append(values)
                yield values

        sheet.iter_rows = iter_rows
        return workbook

    monkeypatch.setattr(openpyxl, "load_workbook", counting_load)
    monkeypatch.setattr(spreadsheets, "openpyxl", openpyxl, raising=False)
    monkeypatch.setattr("entities.services.imports.MAX_IMPORT_ROWS", 50)
    response = dry_run(client_for(staff_user), xlsx_file([row(i) for i in range(2_000)]), ambito)
    assert "più di 50 righe" in file_errors(response)
    assert len(pulled) == 52


def test_blank_rows_are_skipped_and_semicolons_understood(client_for, staff_user, ambito, fano):
    """Excel in Italian saves CSV with semicolons (and in Windows-1252); blank rows are not
    entities."""
    import csv

    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";")
    writer.writerow(HEADERS)
    writer.writerow(row(1, denominazione="Società Cooperativa Sociale Libertà"))
    writer.writerow([""] * len(HEADERS))
    writer.writerow(row(2))
    upload = SimpleUploadedFile("enti.csv", buf.getvalue().encode("cp1252"))
    response = dry_run(client_for(staff_user), upload, ambito)
    assert response.context["ok"] is True
    assert [r["name"] for r in response.context["rows"]] == [
        "Società Cooperativa Sociale Libertà",
        "Associazione Importata 2",
    ]


def test_a_row_longer_than_the_header_refused(client_for, staff_user, ambito, fano):
    upload = SimpleUploadedFile(
        "enti.csv",
        (",".join(HEADERS) + "\n" + ",".join([*row(1), "in più"]) + "\n").encode(),
    )
    response = dry_run(client_for(staff_user), upload, ambito)
    assert response.context["file_errors"] == [
        "La riga 2 ha più celle delle intestazioni: controlla i separatori."
    ]


def ods_file(rows) -> SimpleUploadedFile:
    """An ODS sheet as LibreOffice Calc saves it (built with tablib/odfpy)."""
    dataset = tablib.Dataset(headers=HEADERS)
    for r in rows:
        dataset.append(r)
    return SimpleUploadedFile("enti.ods", dataset.export("ods"))


def test_ods_file_imported_all_or_nothing(client_for, staff_user, ambito, fano):
    client = client_for(staff_user)
    response = dry_run(
        client,
        ods_file([row(1, denominazione="Società cooperativa sociale àèìòù"), row(2)]),
        ambito,
    )
    assert response.context["ok"] is True
    assert [r["name"] for r in response.context["rows"]] == [
        "Società cooperativa sociale àèìòù",
        "Associazione Importata 2",
    ]
    bad = ods_file([row(3), row(4, attivita="zz")])
    response = dry_run(client, bad, ambito)
    assert response.context["ok"] is False
    wrong = [(r["number"] + 1, r["errors"]) for r in response.context["rows"] if r["errors"]]
    assert wrong == [
        (3, ["attivita: Lettera di attività sconosciuta: zz (art. 5: lettere da a a z)."])
    ]
