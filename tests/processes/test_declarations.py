"""Declarations under DPR 445/2000 confirmed at submission: by the SPID/CIE login of level 2 of
the session that submits, or by a declaration signed digitally by the entity's legal
representative among the attachments; the application page and the receipt PDF say which."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from processes import services
from processes.models import Application, ApplicationDocument, Declaration
from tests.core.test_signatures import DOCUMENT, Pki, pki  # noqa: F401 (fixture)
from tests.oidc_provider.fixtures import prove_identity
from tests.processes.conftest import fill_and_submit

pytestmark = pytest.mark.django_db

MARIO = "RSSMRA80A01H501U"
FORM = {
    "declarations": list(Declaration.values),
    "proposal": "Una proposta",
    "budget-TOTAL_FORMS": "5",
    "budget-INITIAL_FORMS": "0",
    "budget-MIN_NUM_FORMS": "5",
    "budget-MAX_NUM_FORMS": "30",
    "budget-0-description": "Operatori",
    "budget-0-amount": "5000",
    "budget-0-cofinancing": "500",
    "submit": "1",
}


@pytest.fixture
def draft(make_procedure, entity, entity_admin, settings):
    settings.SIGNATURE_TRUST_ROOTS = ""
    entity.legal_representative = "Mario Rossi"
    entity.legal_representative_fiscal_code = MARIO
    entity.save()
    procedure = make_procedure()
    application = services.application_start(procedure=procedure, entity=entity, actor=entity_admin)
    return fill_and_submit(application, entity_admin, submit=False)


def _receipt_text(application) -> str:
    sent = services.application_receipt_send(application.pk)
    assert sent
    application = Application.objects.get(pk=application.pk)
    with application.receipt.open("rb") as f:
        reader = PdfReader(BytesIO(f.read()))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_spid_level_2_login_confirms_the_declarations(draft, entity_admin, client):
    entity_admin.fiscal_code = MARIO
    entity_admin.save(update_fields=["fiscal_code"])
    client.force_login(entity_admin)
    prove_identity(client, entity_admin, scheme="spid", level=2)
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "Sei entrato con SPID o CIE di livello 2" in page
    response = client.post(draft.get_absolute_url(), FORM)
    assert response.status_code == 302
    application = Application.objects.get(pk=draft.pk)
    assert (application.declared_with, application.declared_fiscal_code) == ("spid_cie", MARIO)
    assert application.declared_at == application.submitted_at

    page = client.get(application.get_absolute_url()).content.decode()
    assert "Dichiarazioni confermate con accesso SPID/CIE di livello 2 il" in page
    assert f"dichiarante C.F. {MARIO}" in page
    text = _receipt_text(application)
    assert "Dichiarazioni confermate con accesso SPID/CIE di livello 2 il" in text
    assert f"dichiarante C.F. {MARIO}" in text


def test_spid_level_1_is_not_enough(draft, entity_admin, client):
    entity_admin.fiscal_code = MARIO
    entity_admin.save(update_fields=["fiscal_code"])
    client.force_login(entity_admin)
    prove_identity(client, entity_admin, scheme="spid", level=1)
    assert "Sei entrato con SPID" not in client.get(draft.get_absolute_url()).content.decode()
    client.post(draft.get_absolute_url(), FORM)
    application = Application.objects.get(pk=draft.pk)
    assert (application.declared_with, application.declared_fiscal_code) == ("checkbox", "")
    assert "Dichiarazioni confermate con caselle di conferma il" in _receipt_text(application)


def test_a_signed_declaration_confirms_them(draft, entity_admin, client, pki):  # noqa: F811
    client.force_login(entity_admin)
    url = reverse("processes:application_document_add", args=[draft.pk])
    signed = SimpleUploadedFile("dichiarazione.pdf.p7m", pki.p7m(DOCUMENT))
    response = client.post(
        url, {"title": "Dichiarazione sostitutiva", "file": signed, "is_declaration": "on"}
    )
    assert response.status_code == 302
    assert ApplicationDocument.objects.get(title="Dichiarazione sostitutiva").is_declaration
    client.post(draft.get_absolute_url(), FORM)
    application = Application.objects.get(pk=draft.pk)
    assert (application.declared_with, application.declared_fiscal_code) == (
        "signed_document",
        MARIO,
    )
    page = client.get(application.get_absolute_url()).content.decode()
    assert "Dichiarazioni confermate con dichiarazione firmata digitalmente il" in page
    assert "dichiarazione sostitutiva firmata" in page
    text = _receipt_text(application)
    assert "Dichiarazioni confermate con dichiarazione firmata digitalmente" in text
    assert f"dichiarante C.F. {MARIO}" in text


@pytest.mark.parametrize(
    ("content", "name", "error"),
    [
        (b"%PDF-1.4 nessuna firma", "dichiarazione.pdf", "Il file non è firmato digitalmente"),
        (
            None,
            "dichiarazione.pdf.p7m",
            "La dichiarazione è firmata da Giuseppe Verdi (C.F. VRDGPP60R10G479W), non dal "
            "legale rappresentante dell&#x27;ente (Mario Rossi).",
        ),
    ],
    ids=["unsigned", "wrong-person"],
)
def test_an_unsigned_or_foreign_declaration_is_refused(
    draft, entity_admin, client, content, name, error
):
    if content is None:
        other = Pki("Altra CA", given="Giuseppe", surname="Verdi", fiscal_code="VRDGPP60R10G479W")
        content = other.p7m(DOCUMENT)
    client.force_login(entity_admin)
    url = reverse("processes:application_document_add", args=[draft.pk])
    response = client.post(
        url,
        {
            "title": "Dichiarazione",
            "file": SimpleUploadedFile(name, content),
            "is_declaration": "on",
        },
        follow=True,
    )
    assert error in response.content.decode()
    assert not ApplicationDocument.objects.filter(title="Dichiarazione").exists()
