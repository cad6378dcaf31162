"""Formal communications of processes (admission, art. 10-bis notice, exclusion) go by PEC to
the entity's PEC address when the portal has a PEC account, and the application page shows the
channel and the provider's receipts; without PEC, ordinary e-mail with the reason."""

from __future__ import annotations

import email
import email.policy

import pytest

from core import pec
from core.models import OutgoingEmail
from processes import services
from processes.models import Application
from tests.core.test_pec import pec_server, receipt_eml  # noqa: F401 (fixture)
from tests.processes.test_exclusion import REASONS, in_admission  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_admission_goes_by_pec_and_the_page_shows_the_receipt(
    in_admission,  # noqa: F811
    pec_server,  # noqa: F811
    smtp_server,
    staff_user,
    client_for,
    django_capture_on_commit_callbacks,
):
    _procedure, application = in_admission
    entity = application.entity
    entity.pec = "ilfaro@pec.example.org"
    entity.save(update_fields=["pec"])
    with django_capture_on_commit_callbacks(execute=True):
        services.application_decide(application=application, actor=staff_user, admitted=True)
    application = Application.objects.get(pk=application.pk)
    message = application.communication
    assert (message.channel, message.formal, message.to) == ("pec", True, entity.pec)
    assert message.status == OutgoingEmail.Status.SENT
    [envelope] = pec_server
    assert envelope.rcpt_tos == ["ilfaro@pec.example.org"]
    sent = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert sent["Subject"] == f"Domanda ammessa — {application.procedure.title}"
    text = sent.get_body(("plain",)).get_content()
    assert f"la domanda n. {application.protocol_number}" in text and "è stata ammessa" in text
    assert all(entity.pec not in e.rcpt_tos for e in smtp_server)
    pec.store(receipt_eml(message, "avvenuta-consegna"), source="upload")

    page = client_for(staff_user).get(application.get_absolute_url()).content.decode()
    assert "PEC</span>" in page
    assert "a ilfaro@pec.example.org" in page
    assert "Avvenuta consegna" in page or "avvenuta consegna" in page.lower()
    assert "Nessuna ricevuta PEC ancora." not in page


def test_without_pec_the_10bis_notice_goes_by_email_with_the_note(
    in_admission,  # noqa: F811
    smtp_server,
    staff_user,
    client_for,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.PEC_EMAIL_CONFIG = {}
    _procedure, application = in_admission
    entity = application.entity
    entity.pec = "ilfaro@pec.example.org"
    entity.save(update_fields=["pec"])
    with django_capture_on_commit_callbacks(execute=True):
        notice = services.exclusion_notice_send(
            application=application, actor=staff_user, reasons=REASONS
        )
    message = OutgoingEmail.objects.get(pk=notice.communication_id)
    assert (message.channel, message.to, message.formal) == ("email", entity.email, True)
    assert [entity.email] in [e.rcpt_tos for e in smtp_server]

    page = client_for(staff_user).get(application.get_absolute_url()).content.decode()
    assert "E-mail ordinaria" in page
    assert "la PEC del portale non è configurata" in page
