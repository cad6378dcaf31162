"""An attachment signed digitally (.p7m) is inspected on upload (core.signatures): the
application page says who signed it and whether the signature is valid."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from processes import services
from processes.models import ApplicationDocument
from tests.core.test_signatures import DOCUMENT, pki  # noqa: F401 (fixture)
from tests.processes.conftest import pdf

pytestmark = pytest.mark.django_db


def test_signed_attachment_shows_the_signer_on_the_page(
    make_procedure,
    entity,
    entity_admin,
    client_for,
    pki,  # noqa: F811
    settings,
):
    settings.SIGNATURE_TRUST_ROOTS = ""
    procedure = make_procedure()
    application = services.application_start(procedure=procedure, entity=entity, actor=entity_admin)
    content = pki.p7m(DOCUMENT)
    signed = SimpleUploadedFile(
        "dichiarazione.pdf.p7m", content, content_type="application/pkcs7-mime"
    )
    services.application_document_add(
        application=application, actor=entity_admin, title="Dichiarazione firmata", file=signed
    )
    services.application_document_add(
        application=application, actor=entity_admin, title="Statuto", file=pdf()
    )
    stored = ApplicationDocument.objects.get(title="Dichiarazione firmata")
    assert stored.signature["kind"] == "cades"
    with stored.file.open("rb") as f:
        assert f.read() == content  # inspecting it does not consume the upload
    assert ApplicationDocument.objects.get(title="Statuto").signature["signers"] == []

    page = client_for(entity_admin).get(application.get_absolute_url()).content.decode()
    assert "Documento firmato (CAdES, .p7m)" in page
    assert "<strong>Mario Rossi</strong> (C.F. RSSMRA80A01H501U)" in page
    assert "firma valida" in page
    assert page.count("Documento firmato (CAdES, .p7m)") == 1  # the unsigned PDF shows nothing


def test_signed_cost_document_of_a_report_shows_the_signer(
    make_procedure,
    entity,
    entity_admin,
    staff_user,
    client_for,
    pki,  # noqa: F811
    settings,
):
    from datetime import date

    from processes.models import ReportCost
    from tests.processes.conftest import in_execution

    settings.SIGNATURE_TRUST_ROOTS = ""
    agreement = in_execution(make_procedure(), staff_user, [entity])
    content = pki.p7m(DOCUMENT)
    report = services.report_submit(
        agreement=agreement,
        entity=entity,
        actor=entity_admin,
        data={
            "period_start": date(2026, 1, 1),
            "period_end": date(2026, 3, 31),
            "activities": "Visite domiciliari",
        },
        costs=[
            {
                "description": "Fattura firmata",
                "amount": 100,
                "document": SimpleUploadedFile("fattura.xml.p7m", content),
            },
            {"description": "Scontrino", "amount": 20, "document": pdf("scontrino.pdf")},
        ],
    )
    signed = ReportCost.objects.get(report=report, description="Fattura firmata")
    assert signed.signature["kind"] == "cades" and signed.signature["valid"] is True
    with signed.document.open("rb") as f:
        assert f.read() == content
    assert ReportCost.objects.get(report=report, description="Scontrino").signature["signers"] == []

    page = client_for(staff_user).get(reverse("processes:report_detail", args=[report.pk]))
    html = page.content.decode()
    assert "Documento firmato (CAdES, .p7m)" in html
    assert "<strong>Mario Rossi</strong> (C.F. RSSMRA80A01H501U)" in html
    assert html.count("Documento firmato (CAdES, .p7m)") == 1
