"""Browser journeys of the entity registry, one per user story; axe on every page visited."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from core.models import AuditEvent
from entities.models import Activity, Entity, EntityMembership, TargetGroup
from entities.reference import ACTIVITIES, TARGET_GROUPS
from tests.factories.ambito import ComuneFactory
from tests.factories.entities import EntityFactory, EntityMembershipFactory, valid_tax_code

ACCENTS = "Società cooperativa sociale àèìòù"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def reference_lists(db):
    """Transactional tests empty the tables the data migration filled: load them again."""
    for code, name in ACTIVITIES:
        Activity.objects.update_or_create(code=code, defaults={"name": name})
    for order, (code, name) in enumerate(TARGET_GROUPS):
        TargetGroup.objects.update_or_create(code=code, defaults={"name": name, "order": order})


def tick(page, label: str) -> None:
    """Tick a Bootstrap Italia checkbox or radio by clicking its label, as a person does."""
    page.locator("label", has_text=label).first.click()
    assert page.get_by_label(label).first.is_checked()


@pytest.fixture(autouse=True)
def short_timeout(page):
    page.set_default_timeout(10_000)


@pytest.fixture
def fano(ambito):
    comune = ComuneFactory(name="Fano", istat_code="041013")
    ambito.comuni.add(comune)
    return comune


def test_representative_registers_an_entity(
    page, live_server, axe, browser_login, no_role_user, fano, staff_user
):
    browser_login(page, no_role_user)
    page.goto(f"{live_server.url}/la-mia-area/")
    axe(page)
    page.get_by_role("link", name="Registra un ente").first.click()
    page.wait_for_url(re.compile(r"/enti/registra/"))
    axe(page)

    page.get_by_label("Denominazione").fill("Associazione La Lanterna ODV")
    page.locator("#id_tax_code").fill("12345678901")  # wrong check digit first
    page.get_by_label("Forma giuridica").select_option("odv")
    page.get_by_label("Sezione RUNTS").select_option("a")
    page.locator("#id_runts_status").select_option("iscritto")
    page.get_by_label("Numero di repertorio RUNTS").fill("RL-2024-77")
    page.get_by_label("Data di iscrizione al RUNTS").fill("2023-06-01")
    page.get_by_label("Indirizzo della sede legale").fill("Via Arco d'Augusto 5")
    page.get_by_label("CAP").fill("61032")
    page.get_by_label("Cerca il comune per nome").fill("Fan")
    page.locator("#id_seat_comune option", has_text="Fano").wait_for(state="attached")
    page.get_by_label("Comune della sede legale").select_option(label="Fano (PU)")
    page.get_by_label("PEC").fill("lanterna@pec.example.org")
    page.locator("#id_email").fill("info@lanterna.example.org")
    page.locator("#id_legal_representative").fill("Giulia Neri")
    tick(page, "a) Interventi e servizi sociali")
    tick(page, "Anziani")
    page.get_by_label("Numero di volontari").fill("18")
    page.get_by_role("button", name="Invia la registrazione").click()

    error = page.locator("#id_tax_code-error")
    assert "cifra di controllo" in error.inner_text()
    axe(page)
    page.locator("#id_tax_code").fill(valid_tax_code(777))
    page.get_by_role("button", name="Invia la registrazione").click()
    page.wait_for_url(re.compile(r"/enti/\d+/$"))
    expect(page.get_by_role("heading", name="Associazione La Lanterna ODV")).to_be_visible()
    expect(page.get_by_text("In attesa di verifica").first).to_be_visible()
    axe(page)

    entity = Entity.objects.get(name="Associazione La Lanterna ODV")
    assert entity.status == Entity.Status.PENDING and entity.seat_comune == fano
    assert EntityMembership.objects.filter(entity=entity, user=no_role_user, role="admin").exists()
    page.goto(f"{live_server.url}/la-mia-area/")
    expect(page.get_by_role("link", name="Associazione La Lanterna ODV")).to_be_visible()


def test_staff_verifies_and_representative_sees_it(
    page, live_server, axe, browser_login, ambito, staff_user
):
    entity = EntityFactory(
        ambito=ambito,
        name="Cooperativa Il Germoglio",
        status=Entity.Status.PENDING,
        email="germoglio@example.org",
    )
    representative = EntityMembershipFactory(
        entity=entity, user__email="rappresentante@example.org"
    ).user
    EntityFactory(ambito=ambito, name="Associazione Da Respingere", status=Entity.Status.PENDING)

    browser_login(page, staff_user)
    page.goto(f"{live_server.url}/enti/verifica/")
    axe(page)
    page.get_by_role("link", name="Cooperativa Il Germoglio").click()
    axe(page)
    page.get_by_role("button", name="Verifica", exact=True).click()
    page.wait_for_url(re.compile(r"/enti/verifica/"))
    expect(page.get_by_text("ora è nello stato «Verificato»")).to_be_visible()
    axe(page)
    # Rejecting needs a reason: first without, then with.
    page.get_by_role("link", name="Associazione Da Respingere").click()
    page.get_by_role("button", name="Respingi").click()
    expect(page.get_by_text("Scrivi la motivazione")).to_be_visible()
    axe(page)
    page.get_by_label("Motivazione").fill("Manca lo statuto aggiornato.")
    page.get_by_role("button", name="Respingi").click()
    page.wait_for_url(re.compile(r"/enti/verifica/"))
    page.get_by_role("link", name=re.compile("Respinto")).click()
    expect(page.get_by_role("link", name="Associazione Da Respingere")).to_be_visible()
    axe(page)

    entity.refresh_from_db()
    assert entity.status == Entity.Status.VERIFIED
    assert any(m.to == ["germoglio@example.org"] for m in mail.outbox)

    page.context.clear_cookies()
    browser_login(page, representative)
    page.goto(f"{live_server.url}/la-mia-area/")
    row = page.locator("li", has_text="Cooperativa Il Germoglio")
    assert "Verificato" in row.inner_text()
    axe(page)
    # Staff see the history on the profile; the public does not.
    page.context.clear_cookies()
    browser_login(page, staff_user)
    page.goto(f"{live_server.url}{entity.get_absolute_url()}")
    expect(page.get_by_role("heading", name="Storia dell'ente")).to_be_visible()
    axe(page)


def test_colleague_without_account_signs_up_from_invitation(
    page, live_server, axe, browser_login, entity, entity_admin
):
    browser_login(page, entity_admin)
    page.goto(f"{live_server.url}{entity.get_absolute_url()}")
    axe(page)
    # The administrator edits the data: the change is recorded with who and what.
    page.get_by_role("link", name="Modifica i dati").click()
    axe(page)
    page.get_by_label("Numero di volontari").fill("33")
    page.get_by_label("Data di iscrizione al RUNTS").fill("2022-09-01")
    page.get_by_role("button", name="Salva le modifiche").click()
    expect(page.get_by_text("campi modificati")).to_be_visible()
    axe(page)
    event = AuditEvent.objects.filter(action="entities.entity.updated").latest("pk")
    assert event.actor == entity_admin and event.changes["volunteers"] == {"before": 0, "after": 33}
    page.get_by_role("link", name="Persone dell'ente e inviti").click()
    axe(page)
    page.get_by_label("E-mail della persona da invitare").fill("collega.nuova@example.org")
    tick(page, "Delegato")
    page.get_by_role("button", name="Invia l'invito").click()
    expect(page.get_by_text("Invito inviato a collega.nuova@example.org")).to_be_visible()
    axe(page)

    message = next(m for m in mail.outbox if m.to == ["collega.nuova@example.org"])
    link = re.search(r"https?://\S+/enti/invito/\S+/", message.body).group(0)
    path = re.sub(r"^https?://[^/]+", "", link)

    page.context.clear_cookies()
    page.goto(f"{live_server.url}{path}")
    axe(page)
    page.get_by_role("link", name="Crea un account e accetta").click()
    page.wait_for_url(re.compile(r"/account/signup/"))
    axe(page)
    assert (
        page.get_by_label(re.compile(r"^E-?mail", re.I)).input_value()
        == "collega.nuova@example.org"
    )
    page.locator("#id_password1").fill("una-password-robusta-2026")
    page.locator("#id_password2").fill("una-password-robusta-2026")
    page.get_by_role("button", name=re.compile("Registra|Iscriviti", re.I)).click()
    page.wait_for_url(re.compile(rf"{entity.get_absolute_url()}$"))
    expect(page.get_by_role("heading", name=entity.name)).to_be_visible()
    expect(page.get_by_text("Il tuo ruolo: Delegato")).to_be_visible()
    axe(page)
    assert EntityMembership.objects.filter(
        entity=entity, user__email="collega.nuova@example.org", role="delegate"
    ).exists()


def test_anyone_browses_and_filters_the_directory(page, live_server, axe, ambito, fano):
    EntityFactory(
        ambito=ambito,
        name="Anziani Attivi APS",
        legal_form="aps",
        runts_section="b",
        activity_codes=["i"],
        target_group_codes=["anziani"],
    )
    EntityFactory(
        ambito=ambito,
        name="Cooperativa Lavoro Insieme",
        legal_form="coop_b",
        runts_section="d",
        activity_codes=["p"],
        description="Inserimento lavorativo",
    )
    coop = Entity.objects.get(name="Cooperativa Lavoro Insieme")
    coop.operating_comuni.add(fano)
    for i in range(25):
        EntityFactory(ambito=ambito, name=f"Associazione Zeta {i:02d}")
    EntityFactory(ambito=ambito, name="Ente Non Verificato", status=Entity.Status.PENDING)

    page.goto(f"{live_server.url}/")
    axe(page)
    page.get_by_role("link", name="Consulta l'elenco degli enti").click()
    page.wait_for_url(re.compile(r"/enti/"))
    expect(page.get_by_text("27 enti trovati")).to_be_visible()
    expect(page.get_by_text("Ente Non Verificato")).to_have_count(0)
    axe(page)
    page.get_by_role("link", name="Successiva").click()
    expect(page.get_by_text("Pagina 2 di 2")).to_be_visible()
    axe(page)

    page.get_by_label("Forma giuridica").select_option("coop_b")
    page.get_by_role("button", name="Applica i filtri").click()
    expect(page.get_by_text("1 ente trovato")).to_be_visible()
    page.get_by_role("link", name="Azzera i filtri").click()
    page.get_by_label("Area di utenza").select_option("anziani")
    page.get_by_label("Comune in cui opera").select_option("")
    page.get_by_role("button", name="Applica i filtri").click()
    expect(page.get_by_role("link", name="Anziani Attivi APS")).to_be_visible()
    page.get_by_role("link", name="Azzera i filtri").click()
    page.get_by_label("Cerca per nome o descrizione").fill("lavorativo")
    page.get_by_label("Ordina per").select_option(label="Nome (Z-A)")
    page.get_by_role("button", name="Applica i filtri").click()
    expect(page.get_by_text("1 ente trovato")).to_be_visible()
    axe(page)
    page.get_by_role("link", name="Cooperativa Lavoro Insieme").click()
    expect(page.get_by_role("heading", name="Cooperativa Lavoro Insieme")).to_be_visible()
    expect(page.get_by_text("Maria Verdi")).to_have_count(0)  # legal representative: staff only
    axe(page)


def test_staff_import_with_dry_run_then_confirm(
    page, live_server, axe, browser_login, ambito, staff_user, fano, tmp_path
):
    """The office way: a file saved by Excel in Italian (`;`, Windows-1252) is checked, then
    imported in the background; the CSV export is downloaded and read back as Excel reads it."""
    headers = [
        "denominazione", "codice_fiscale", "forma_giuridica", "sezione_runts", "stato_runts", "numero_repertorio",
        "data_iscrizione", "indirizzo", "comune_sede", "email", "legale_rappresentante", "attivita",
    ]  # fmt: skip
    good = [
        [ACCENTS, valid_tax_code(901), "odv", "a", "iscritto", "U-1", "01/02/2022", "Via 1", "041013", "uno@example.org", "A", "a"],
        ["Associazione Due", valid_tax_code(902), "aps", "b", "iscritto", "U-2", "01/02/2022", "Via 2", "Fano", "due@example.org", "B", "i, l"],
    ]  # fmt: skip
    bad = [
        *good,
        [
            "Associazione Tre",
            "12345678901",
            "odv",
            "a",
            "iscritto",
            "U-3",
            "01/02/2022",
            "Via 3",
            "Atlantide",
            "tre@example.org",
            "C",
            "a, 9",
        ],
    ]

    def write(rows, name, *, delimiter=",", encoding="utf-8"):
        path = tmp_path / name
        with path.open("w", newline="", encoding=encoding) as f:
            w = csv.writer(f, delimiter=delimiter)
            w.writerow(headers)
            w.writerows(rows)
        return path

    browser_login(page, staff_user)
    page.goto(f"{live_server.url}/enti/")
    page.get_by_role("link", name="Importa da file").click()
    axe(page)
    expect(page.get_by_label("Solo prova: controlla il file senza scrivere nulla")).to_be_checked()
    page.get_by_label("File XLSX, ODS o CSV").set_input_files(str(write(bad, "errori.csv")))
    page.get_by_role("button", name="Carica il file").click()
    table = page.get_by_role("table", name=re.compile("Righe del file"))
    assert "cifra di controllo" in table.inner_text() and "Comune sconosciuto" in table.inner_text()
    assert "attività sconosciuta" in table.inner_text()
    expect(page.get_by_role("button", name="Importa il file")).to_have_count(0)
    axe(page)
    assert not Entity.objects.filter(email__in=["uno@example.org", "due@example.org"]).exists()

    saved_by_excel = write(good, "buono.csv", delimiter=";", encoding="cp1252")
    page.get_by_label("File XLSX, ODS o CSV").set_input_files(str(saved_by_excel))
    page.get_by_role("button", name="Carica il file").click()
    expect(page.get_by_text("2 da creare")).to_be_visible()
    expect(page.get_by_role("table", name="Righe del file")).to_contain_text(ACCENTS)
    axe(page)
    assert not Entity.objects.filter(email__in=["uno@example.org", "due@example.org"]).exists()
    page.get_by_role("button", name="Importa il file").click()
    expect(
        page.get_by_text("Importazione completata: 2 enti creati, 0 aggiornati.")
    ).to_be_visible()
    axe(page)
    page.get_by_role("link", name="Vai all'elenco degli enti").click()
    assert (
        Entity.objects.filter(name__in=[ACCENTS, "Associazione Due"], status="verified").count()
        == 2
    )

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV (Excel)").click()
    assert download.value.suggested_filename.endswith(".csv")
    raw = download.value.path().read_bytes()
    # as Excel in Italian reads it: a BOM says UTF-8, `;` separates the cells
    assert raw.startswith(b"\xef\xbb\xbf")
    assert ACCENTS.encode("utf-8") in raw
    rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline=""), delimiter=";"))
    assert rows[0][:3] == ["denominazione", "codice_fiscale", "partita_iva"]
    names = {r[0] for r in rows[1:]}
    assert {ACCENTS, "Associazione Due"} <= names
    assert all(len(r) == len(rows[0]) for r in rows)


def test_the_import_page_polls_until_the_background_import_ends(
    page, live_server, axe, browser_login, ambito, staff_user, fano, tmp_path, monkeypatch
):
    """The upload returns at once with the import queued; the page polls (htmx, CSP enforced)
    and shows the outcome as soon as the worker (here: the test) has imported the file."""
    from openpyxl import Workbook

    from core.models import FileJob
    from entities import tasks
    from tests.entities.test_import import HEADERS, row

    monkeypatch.setattr(tasks.import_entities, "delay", lambda job_id: None)  # no worker yet
    workbook = Workbook()
    workbook.active.append(HEADERS)
    for i in range(30):
        workbook.active.append(row(i, comune=fano.istat_code))
    path = tmp_path / "enti.xlsx"
    workbook.save(path)

    browser_login(page, staff_user)
    page.goto(f"{live_server.url}/enti/importa/")
    dry_run = "Solo prova: controlla il file senza scrivere nulla"
    page.locator("label", has_text=dry_run).click()  # untick, as a person does
    assert not page.get_by_label(dry_run).is_checked()
    page.get_by_label("File XLSX, ODS o CSV").set_input_files(str(path))
    page.get_by_role("button", name="Carica il file").click()
    expect(page.get_by_text("In coda: l'importazione inizierà a breve.")).to_be_visible()
    axe(page)
    job = FileJob.objects.get(kind="entity_import")

    tasks.import_entities.apply(args=[job.pk])  # the worker's turn

    expect(
        page.get_by_text("Importazione completata: 30 enti creati, 0 aggiornati.")
    ).to_be_visible(timeout=10_000)
    axe(page)
    assert Entity.objects.filter(name__startswith="Associazione Importata").count() == 30


def test_legal_representative_claims_a_squatted_entity(
    page, live_server, axe, browser_login, no_role_user, staff_user, fano, tmp_path
):
    """Someone registered "Il Ponte" under its tax code; its president, trying to register it,
    is sent to the claim, uploads the minutes of her appointment; the Ufficio di Piano reads
    them in its queue and makes her administrator, the squatter a delegate."""
    entity = EntityFactory(
        ambito=fano.ambiti.first(), name="Il Ponte registrato da altri", status="pending"
    )
    squatter = EntityMembershipFactory(entity=entity).user
    document = tmp_path / "verbale-nomina.pdf"
    document.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    browser_login(page, no_role_user)
    page.goto(f"{live_server.url}/enti/rivendica/?codice_fiscale={entity.tax_code}")
    axe(page)
    expect(page.get_by_label("Codice fiscale dell'ente")).to_have_value(entity.tax_code)
    page.get_by_label("Ruolo nell'ente").fill("Presidente")
    page.get_by_label("Motivazione della richiesta").fill("Sono la presidente dal 2024.")
    page.get_by_label("Documento che prova la rappresentanza legale").set_input_files(str(document))
    page.get_by_role("button", name="Invia la richiesta").click()
    error = page.locator("#id_declaration-error")
    assert "Conferma la dichiarazione" in error.inner_text()
    axe(page)
    page.get_by_label("Documento che prova la rappresentanza legale").set_input_files(str(document))
    page.locator("label[for=id_declaration]").click()
    page.get_by_role("button", name="Invia la richiesta").click()
    expect(page.get_by_text("Richiesta inviata all'Ufficio di Piano")).to_be_visible()
    expect(page.get_by_role("table", name="Le tue richieste")).to_contain_text("In attesa")
    axe(page)

    page.context.clear_cookies()
    browser_login(page, staff_user)
    page.goto(f"{live_server.url}/enti/verifica/")
    axe(page)
    page.get_by_role("link", name="Il Ponte registrato da altri").first.click()
    expect(page.get_by_role("link", name="Scarica il documento")).to_be_visible()
    axe(page)
    page.locator("label", has_text="Accogli la richiesta").click()
    page.locator("label", has_text="Diventano delegati").click()
    page.get_by_label("Motivazione").fill("Verbale di nomina controllato.")
    page.get_by_role("button", name="Registra la decisione").click()
    expect(page.get_by_text("Richiesta accolta")).to_be_visible()
    axe(page)
    assert EntityMembership.objects.get(entity=entity, user=no_role_user).role == "admin"
    assert EntityMembership.objects.get(entity=entity, user=squatter).role == "delegate"
    assert {m.to[0] for m in mail.outbox} >= {no_role_user.email, squatter.email}
