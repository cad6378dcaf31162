"""The protocol register: the ente's protocol system over HTTP, tested against a stub server this
test starts on loopback (the interface README specifies), and the internal counter's receipt.

The receipt PDF and the pages are read back: the number and date the register gave are the ones
the entity sees."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from processes import services
from processes.models import ApplicationStatus, Declaration, ProtocolCounter
from tests.factories.processes import PDF_BYTES
from tests.processes.conftest import fill_and_submit, in_execution, pdf, to_admission
from tests.readback import pdftotext

TOKEN = "test-protocol-token"


class StubProtocol:
    """A protocol system on 127.0.0.1: records each filing and answers as told."""

    def __init__(self):
        self.filings: list[dict] = []
        self.headers: list[dict] = []
        self.status = 201
        self.answer: dict | str = {}
        self.next = 41
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                stub.headers.append(dict(self.headers))
                if self.path != "/api/registrazioni":
                    self.send_response(404)
                    self.end_headers()
                    return
                stub.filings.append(json.loads(body))
                stub.next += 1
                answer = stub.answer or {
                    "numero": f"PG/2026/{stub.next:07d}",
                    "data": "2026-03-02T10:15:30+01:00",
                }
                payload = (
                    answer.encode() if isinstance(answer, str) else json.dumps(answer).encode()
                )
                self.send_response(stub.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stub(settings):
    server = StubProtocol()
    settings.PROTOCOL_BACKEND = "processes.protocol.HttpProtocol"
    settings.PROTOCOL_URL = server.url
    settings.PROTOCOL_TOKEN = TOKEN
    settings.PROTOCOL_TIMEOUT = 2
    yield server
    server.close()


def test_application_gets_the_number_and_date_of_the_ente_protocol(
    stub,
    make_procedure,
    entity,
    entity_admin,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    entity.pec = "ente@pec.example.it"
    entity.save(update_fields=["pec"])
    procedure = make_procedure()
    with django_capture_on_commit_callbacks(execute=True):
        application = fill_and_submit(
            services.application_start(procedure=procedure, entity=entity, actor=entity_admin),
            entity_admin,
        )
    application.refresh_from_db()
    assert application.protocol_number == "PG/2026/0000042"
    assert timezone.localtime(application.protocol_date).strftime("%d/%m/%Y %H:%M:%S") == (
        "02/03/2026 10:15:30"
    )
    # The filing the register received: who sends what, with the documents' fingerprints.
    (filing,) = stub.filings
    assert stub.headers[0]["Authorization"] == f"Bearer {TOKEN}"
    assert filing["amministrazione"] == procedure.ambito.code
    assert filing["verso"] == "entrata" and filing["tipo"] == "domanda"
    assert procedure.title in filing["oggetto"]
    assert filing["mittente"] == {
        "denominazione": entity.name,
        "codice_fiscale": entity.tax_code,
        "pec": "ente@pec.example.it",
    }
    import hashlib

    assert filing["documenti"][0]["sha256"] == hashlib.sha256(PDF_BYTES).hexdigest()
    # No number was taken from the internal counter.
    assert not ProtocolCounter.objects.exists()
    # The receipt (PDF, e-mailed) shows the register's number and date.
    text = pdftotext(application.receipt.read())
    assert "PG/2026/0000042" in text and "02/03/2026 10:15:30" in text
    assert entity.name in text


@pytest.mark.parametrize("failure", ["status", "nonsense", "unreachable"])
def test_a_register_that_gives_no_number_leaves_the_application_a_draft(
    stub, failure, make_procedure, entity, entity_admin
):
    if failure == "status":
        stub.status = 503
    elif failure == "nonsense":
        stub.answer = "<html>gateway</html>"
    else:
        stub.close()
    procedure = make_procedure()
    application = services.application_start(procedure=procedure, entity=entity, actor=entity_admin)
    with pytest.raises(ValidationError) as exc:
        fill_and_submit(application, entity_admin)
    assert "registro di protocollo non ha risposto" in " ".join(exc.value.messages)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert application.protocol_number == "" and application.submitted_at is None
    procedure.refresh_from_db()
    assert procedure.notice_locked_at is None


def test_the_entity_reads_the_failure_and_keeps_the_draft(
    stub, make_procedure, entity, entity_admin, client
):
    stub.status = 500
    procedure = make_procedure()
    application = services.application_start(procedure=procedure, entity=entity, actor=entity_admin)
    fill_and_submit(application, entity_admin, submit=False)
    client.force_login(entity_admin)
    form = {
        "declarations": list(Declaration.values),
        "proposal": "La proposta riscritta",
        "budget-TOTAL_FORMS": "5",
        "budget-INITIAL_FORMS": "0",
        "budget-MIN_NUM_FORMS": "5",
        "budget-MAX_NUM_FORMS": "30",
        "budget-0-description": "Operatori",
        "budget-0-amount": "5000",
        "budget-0-cofinancing": "500",
    }
    response = client.post(application.get_absolute_url(), {**form, "submit": "1"})
    assert response.status_code == 200
    assert "registro di protocollo non ha risposto" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert application.proposal == "La proposta riscritta"  # what was written is kept


def test_integration_answers_and_reports_are_registered(
    stub,
    make_procedure,
    entity,
    entity_admin,
    staff_user,
    client,
    clock,
    django_capture_on_commit_callbacks,
):
    procedure = make_procedure()
    with django_capture_on_commit_callbacks(execute=True):
        application = fill_and_submit(
            services.application_start(procedure=procedure, entity=entity, actor=entity_admin),
            entity_admin,
        )
    procedure = to_admission(procedure, staff_user, clock)
    request = services.integration_request_create(
        application=application,
        actor=staff_user,
        message="Manca lo statuto firmato",
        deadline=clock.now + timedelta(days=5),
    )
    stub.answer = {"numero": "PG/2026/0000100", "data": "2026-03-05T09:00:00+01:00"}
    services.integration_answer(
        request=request, actor=entity_admin, answer="Eccolo", title="Statuto", file=pdf()
    )
    request.refresh_from_db()
    assert request.protocol_number == "PG/2026/0000100"
    assert stub.filings[-1]["tipo"] == "integrazione"
    assert application.protocol_number in stub.filings[-1]["oggetto"]
    assert len(stub.filings[-1]["documenti"]) == 1
    client.force_login(entity_admin)
    page = client.get(application.get_absolute_url()).content.decode()
    assert "protocollo n. PG/2026/0000100 del 05/03/2026 09:00" in page

    agreement = in_execution(procedure, staff_user, [entity])
    stub.answer = {"numero": "PG/2026/0000200", "data": "2026-09-01T12:30:00+02:00"}
    report = services.report_submit(
        agreement=agreement,
        entity=entity,
        actor=entity_admin,
        data={
            "period_start": timezone.localdate() - timedelta(days=180),
            "period_end": timezone.localdate(),
            "activities": "Servizi svolti",
        },
        costs=[{"description": "Personale", "amount": Decimal("100"), "document": pdf("f.pdf")}],
    )
    assert report.protocol_number == "PG/2026/0000200"
    assert stub.filings[-1]["tipo"] == "rendicontazione"
    page = client.get(reverse("processes:report_detail", kwargs={"pk": report.pk})).content
    assert "Protocollo n. PG/2026/0000200 del 01/09/2026 12:30" in page.decode()


def test_the_internal_counter_dates_the_receipt(
    make_procedure, entity, entity_admin, django_capture_on_commit_callbacks
):
    procedure = make_procedure()
    with django_capture_on_commit_callbacks(execute=True):
        application = fill_and_submit(
            services.application_start(procedure=procedure, entity=entity, actor=entity_admin),
            entity_admin,
        )
    application.refresh_from_db()
    assert abs(application.protocol_date - application.submitted_at) < timedelta(seconds=1)
    when = timezone.localtime(application.protocol_date).strftime("%d/%m/%Y %H:%M:%S")
    text = pdftotext(application.receipt.read())
    assert "Data di protocollo" in text and when in text
    assert application.protocol_number in text
