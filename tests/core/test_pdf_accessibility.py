"""Every PDF the portal produces is tagged (a structure tree that screen readers follow: headings,
paragraphs, lists, tables) and the legal records stay archival: PDF/A-3a, the "accessible" level
of PDF/A (tagged, Unicode text, document language). One test per kind, on the bytes the portal
really produces, reading back the structure and the text."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from core import pdf
from processes.models import Application
from tests.factories.ambito import AmbitoFactory
from tests.factories.plans import fill_plan, make_plan
from tests.factories.processes import ApplicationFactory
from tests.factories.tables import AgendaItemFactory, InvitationFactory, MinutesFactory

pytestmark = pytest.mark.django_db


def structure(content: bytes) -> tuple[PdfReader, list[str]]:
    """The reader and the structure types of the tagged tree, depth first ("H1", "P", ...)."""
    reader = PdfReader(io.BytesIO(content))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root, "the PDF is not tagged"
    tags: list[str] = []

    def walk(node) -> None:
        node = node.get_object()
        if isinstance(node, ArrayObject):
            for kid in node:
                walk(kid)
            return
        if not isinstance(node, DictionaryObject):
            return  # a marked-content id: the leaf that points at the page's text
        if "/S" in node:
            tags.append(str(node["/S"]).lstrip("/"))
        if "/K" in node:
            walk(node["/K"])

    walk(root["/StructTreeRoot"])
    return reader, tags


def assert_accessible_pdf(content: bytes, *, archival: bool = True) -> tuple[list[str], str]:
    reader, tags = structure(content)
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "it"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])  # the title, not a file name
    assert reader.metadata.title  # <title> of the template
    xmp = reader.xmp_metadata.stream.get_data().decode()
    if archival:
        assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="A"' in xmp
        assert "/OutputIntents" in root
    else:
        assert 'pdfuaid:part="1"' in xmp
    assert tags[0] == "Document" and "H1" in tags and "P" in tags
    text = "\n".join(page.extract_text() for page in reader.pages)
    return tags, text


def test_minutes():
    from tables.services import minutes_approve, minutes_pdf_bytes
    from tests.factories.core import UserFactory

    minutes = MinutesFactory(introduction="Apertura dei lavori alle 10.")
    meeting = minutes.meeting
    AgendaItemFactory(meeting=meeting, title="Analisi dei bisogni")
    InvitationFactory(meeting=meeting, name="Dario Delegato", attendance="present")
    # the published PDF is rendered from the version frozen at approval
    minutes_approve(minutes=minutes, actor=UserFactory(is_superuser=True))
    _, content = minutes_pdf_bytes(minutes.versions.get())
    tags, text = assert_accessible_pdf(content)
    assert "H2" in tags and "H3" in tags  # sections, then each item of the agenda
    for expected in ("Verbale della seduta", "Analisi dei bisogni", "Dario Delegato"):
        assert expected in text, expected


def test_application_receipt(entity):
    application = ApplicationFactory(entity=entity, procedure__ambito=entity.ambito)
    Application.objects.filter(pk=application.pk).update(
        status="submitted", submitted_at=timezone.now(), protocol_number="2026/000042"
    )
    from processes import services

    assert services.application_receipt_send(application.pk)
    application.refresh_from_db()
    with application.receipt.open("rb") as receipt:
        tags, text = assert_accessible_pdf(receipt.read())
    assert "2026/000042" in text and entity.name in text


def test_plan():
    from plans.exports import plan_pdf_bytes

    plan = make_plan(AmbitoFactory(), title="Piano sociale di zona 2025-2027")
    fill_plan(plan, 3)
    tags, text = assert_accessible_pdf(plan_pdf_bytes(plan))
    assert "H2" in tags and "Table" in tags
    assert "Piano sociale di zona" in text and "Intervento numero 3" in text


def test_outcome_and_agreement_documents():
    """The documents of a procedure's outcome (synthesis, agreement) rendered by the portal."""
    content = pdf.render_pdf(
        "pdf/processes_document.html",
        {
            "title": "Convenzione per la gestione del centro diurno",
            "paragraphs": ["Art. 1 — Oggetto della convenzione.", "Art. 2 — Durata: tre anni."],
        },
    )
    tags, text = assert_accessible_pdf(content)
    assert tags.count("P") >= 2
    assert "Art. 2 — Durata: tre anni." in text


def test_documents_that_are_not_records_are_pdf_ua():
    content = pdf.render_pdf(
        "pdf/processes_document.html",
        {"title": "Promemoria", "paragraphs": ["Testo."]},
        archival=False,
    )
    assert_accessible_pdf(content, archival=False)


def test_running_header_and_footer_are_not_read_as_content():
    """Page furniture (portal name, page numbers) is not in the structure tree."""
    content = pdf.render_pdf("pdf/processes_document.html", {"title": "T", "paragraphs": ["Uno"]})
    reader, tags = structure(content)
    assert tags == ["Document", "H1", "Span", "P", "Span"]
    assert "Pagina 1 di 1" in reader.pages[0].extract_text()  # still printed on the page
