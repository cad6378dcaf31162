"""The outcome (graduatoria) and the agreement (ready to sign, signed) are formal
communications: by PEC to each entity's PEC address from the registry (a real SMTP server on
loopback), kept with the application or the agreement, and shown to staff with the receipts."""

from __future__ import annotations

import email
import email.policy

import pytest
from django.urls import reverse

from core import mail, pec
from core.models import OutgoingEmail
from processes import services
from processes.models import AgreementCommunication, Application, Procedure
from tests.core.test_pec import pec_server, receipt_eml  # noqa: F401 (fixture)
from tests.processes.conftest import in_execution
from tests.processes.test_frozen_acts import ranked  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _text(envelope) -> tuple[str, str]:
    sent = email.message_from_bytes(envelope.content, policy=email.policy.default)
    return sent["Subject"].strip(), sent.get_body(("plain",)).get_content()


@pytest.fixture
def with_pec(entity):
    entity.pec = "ilfaro@pec.example.org"
    entity.save(update_fields=["pec"])
    return entity


def test_the_outcome_goes_to_each_applicant_by_pec(
    with_pec,
    pec_server,  # noqa: F811
    smtp_server,
    ranked,  # noqa: F811
    staff_user,
    client_for,
):
    procedure, _member, application = ranked
    mail.send_now([application.outcome_communication_id])
    application = Application.objects.get(pk=application.pk)
    message = application.outcome_communication
    assert (message.channel, message.formal, message.to) == ("pec", True, "ilfaro@pec.example.org")
    assert message.status == OutgoingEmail.Status.SENT
    [envelope] = [e for e in pec_server if "Esito" in _text(e)[0]]
    assert envelope.rcpt_tos == ["ilfaro@pec.example.org"]
    subject, text = _text(envelope)
    assert subject == f"Esito del procedimento — {procedure.title}"
    assert f"Esito della domanda n. {application.protocol_number}: Ammessa." in text
    assert "Posizione in graduatoria: 1 (punteggio" in text
    pec.store(receipt_eml(message, "avvenuta-consegna"), source="upload")

    page = client_for(staff_user).get(application.get_absolute_url()).content.decode()
    assert "Comunicazione dell&#x27;esito" in page or "Comunicazione dell'esito" in page
    assert page.count("a ilfaro@pec.example.org") == 1
    assert "Avvenuta consegna" in page
    # publishing again (a later step) does not send the outcome twice
    services.procedure_transition(procedure=procedure, target="codesign", actor=staff_user)
    assert Application.objects.get(pk=application.pk).outcome_communication_id == message.pk


def test_the_agreement_ready_to_sign_goes_by_pec_and_staff_see_it(
    make_procedure,
    staff_user,
    entity,
    entity_admin,
    with_pec,
    pec_server,  # noqa: F811
    smtp_server,
    client_for,
    django_capture_on_commit_callbacks,
):
    procedure = make_procedure()
    with django_capture_on_commit_callbacks(execute=True):
        agreement = in_execution(procedure, staff_user, [entity])
    [row] = AgreementCommunication.objects.filter(agreement=agreement)
    assert (row.kind, row.entity_id) == ("ready", entity.pk)
    message = row.communication
    assert (message.channel, message.to, message.status) == ("pec", entity.pec, "sent")
    [envelope] = pec_server
    subject, text = _text(envelope)
    assert subject == f"Convenzione da firmare — {procedure.title}"
    assert "è pronta per la firma digitale" in text
    assert f"/procedimenti/{procedure.pk}/convenzione/firma/" in text
    pec.store(receipt_eml(message, "accettazione"), source="upload")

    page = client_for(staff_user).get(reverse("processes:agreement_sign", args=[procedure.pk]))
    html = page.content.decode()
    assert "Comunicazioni formali alle parti" in html
    assert "Convenzione da firmare — Associazione Il Faro" in html
    assert "a ilfaro@pec.example.org" in html and "Accettazione" in html
    # the party's administrator sees the page, without the staff's communications
    party = client_for(entity_admin).get(reverse("processes:agreement_sign", args=[procedure.pk]))
    assert party.status_code == 200
    assert "Comunicazioni formali alle parti" not in party.content.decode()
    assert Procedure.objects.get(pk=procedure.pk).status == "execution"
