"""PEC: formal communications leave through the PEC account (a real SMTP server on loopback,
not the ordinary one), fall back to e-mail with a warning, and the provider's receipts are read
from an IMAP mailbox (a stub on loopback) or uploaded by staff, once each."""

from __future__ import annotations

from email.message import EmailMessage
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import mail, pec
from core.models import AuditEvent, OutgoingEmail, PecReceipt
from core.tasks import fetch_pec_receipts
from tests.conftest import free_port
from tests.core.imap_stub import ImapStub

CONTEXT = {
    "notification": SimpleNamespace(
        title="Ammissione alla procedura", body="Siete ammessi.", url=""
    ),
    "user": SimpleNamespace(display_name="Associazione Il Faro"),
}


@pytest.fixture
def pec_server(settings):
    """The PEC provider's SMTP server (aiosmtpd on loopback), configured as PEC_EMAIL_URL."""
    received: list = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            return "250 Accettato dal gestore PEC"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.PEC_EMAIL_CONFIG = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
    }
    settings.PEC_FROM_EMAIL = "ufficiodipiano@pec.example.org"
    yield received
    controller.stop()


def daticert(
    message: OutgoingEmail, tipo: str, *, hour: str = "15:30:00", error="nessuno"
) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<postacert tipo="{tipo}" errore="{error}">
  <intestazione>
    <mittente>ufficiodipiano@pec.example.org</mittente>
    <destinatari tipo="certificato">{message.to}</destinatari>
    <risposte>ufficiodipiano@pec.example.org</risposte>
    <oggetto>{message.subject}</oggetto>
  </intestazione>
  <dati>
    <gestore-emittente>Gestore PEC di prova</gestore-emittente>
    <data zona="+0100"><giorno>05/12/2026</giorno><ora>{hour}</ora></data>
    <identificativo>opec-{tipo}-{message.pk}@pec.example.org</identificativo>
    <msgid>{message.message_id.replace("<", "&lt;").replace(">", "&gt;")}</msgid>
    <consegna>{message.to}</consegna>
  </dati>
</postacert>""".encode()


def receipt_eml(message: OutgoingEmail, tipo: str, **kwargs) -> bytes:
    eml = EmailMessage()
    eml["From"] = "posta-certificata@pec.example.org"
    eml["To"] = "ufficiodipiano@pec.example.org"
    eml["Subject"] = f"{tipo.upper()}: {message.subject}"
    eml["X-Ricevuta"] = tipo
    eml.set_content("Ricevuta del gestore PEC.")
    eml.add_attachment(
        daticert(message, tipo, **kwargs),
        maintype="application",
        subtype="xml",
        filename="daticert.xml",
    )
    return eml.as_bytes()


def test_formal_communication_goes_to_the_pec_server_not_the_ordinary_one(
    pec_server, smtp_server, ambito, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = mail.enqueue_formal(
            "notification",
            CONTEXT,
            pec="ilfaro@pec.example.org",
            email="info@ilfaro.example.org",
            ambito_id=ambito.pk,
        )
    message.refresh_from_db()
    assert (message.channel, message.formal, message.channel_note) == ("pec", True, "")
    assert message.status == OutgoingEmail.Status.SENT
    assert smtp_server == []  # nothing on the ordinary server
    [envelope] = pec_server
    assert envelope.mail_from == "ufficiodipiano@pec.example.org"
    assert envelope.rcpt_tos == ["ilfaro@pec.example.org"]
    body = envelope.content.decode()
    assert "Subject: Ammissione alla procedura" in body
    assert f"Message-ID: {message.message_id}" in body


def test_without_a_pec_address_it_goes_by_email_with_a_warning(
    pec_server, smtp_server, ambito, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = mail.enqueue_formal(
            "notification", CONTEXT, pec="", email="info@ilfaro.example.org", ambito_id=ambito.pk
        )
    message.refresh_from_db()
    assert message.channel == "email" and message.formal
    assert message.channel_note == (
        "Inviata con e-mail ordinaria: il destinatario non ha un indirizzo PEC."
    )
    assert pec_server == []
    assert [e.rcpt_tos for e in smtp_server] == [["info@ilfaro.example.org"]]


def test_without_a_pec_account_it_goes_by_email_with_a_warning(smtp_server, ambito, settings):
    settings.PEC_EMAIL_CONFIG = {}
    message = mail.enqueue_formal(
        "notification", CONTEXT, pec="ilfaro@pec.example.org", email="info@ilfaro.example.org"
    )
    assert (message.channel, message.to) == ("email", "info@ilfaro.example.org")
    assert "la PEC del portale non è configurata" in message.channel_note


def test_a_formal_communication_needs_an_address(pec_server):
    with pytest.raises(ValueError):
        mail.enqueue_formal("notification", CONTEXT, pec="", email="")


def _sent_by_pec(ambito) -> OutgoingEmail:
    return mail.enqueue_formal(
        "notification",
        CONTEXT,
        pec="ilfaro@pec.example.org",
        email="x@example.org",
        ambito_id=ambito.pk,
    )


def test_receipts_are_fetched_over_imap_once(pec_server, ambito, settings):
    message = _sent_by_pec(ambito)
    other = OutgoingEmail.objects.create(to="a@example.org", subject="x", body_text="x")
    unrelated = EmailMessage()
    unrelated["Subject"] = "Posta certificata: un messaggio qualunque"
    unrelated.set_content("Non è una ricevuta.")
    mailbox = [
        receipt_eml(message, "accettazione", hour="15:30:00"),
        unrelated.as_bytes(),
        receipt_eml(other, "accettazione"),  # not a formal message of the portal: ignored
        receipt_eml(message, "avvenuta-consegna", hour="15:30:05"),
    ]
    with ImapStub(mailbox) as imap:
        settings.PEC_IMAP_URL = imap.url
        assert fetch_pec_receipts.delay().get() == 2
        assert fetch_pec_receipts.delay().get() == 0  # the same mailbox read again
        assert imap.logins == 2
        assert len(imap.stored) == 8  # every message marked read, each time
    receipts = list(message.pec_receipts.order_by("occurred_at"))
    assert [(r.kind, r.recipient, r.source) for r in receipts] == [
        ("accettazione", "ilfaro@pec.example.org", "imap"),
        ("avvenuta-consegna", "ilfaro@pec.example.org", "imap"),
    ]
    assert receipts[1].occurred_at.isoformat() == "2026-12-05T14:30:05+00:00"  # 15:30:05 +0100
    assert receipts[1].identifier == f"opec-avvenuta-consegna-{message.pk}@pec.example.org"
    assert PecReceipt.objects.count() == 2


def test_mancata_consegna_is_read_from_errore_consegna(pec_server, ambito):
    message = _sent_by_pec(ambito)
    receipt, created = pec.store(
        receipt_eml(message, "errore-consegna", error="no-dest"), source="upload"
    )
    assert created and receipt.kind == PecReceipt.Kind.NOT_DELIVERED
    assert receipt.error == "no-dest"


def test_no_imap_url_means_no_fetch(settings):
    settings.PEC_IMAP_URL = ""
    assert pec.fetch_receipts() == 0


def test_malicious_xml_is_refused(pec_server, ambito):
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><postacert tipo="x">&a;</postacert>'
    )
    with pytest.raises(pec.ReceiptError):
        pec.store(bomb)


# --- the staff page ------------------------------------------------------------------------
def test_staff_page_lists_communications_with_receipts(
    pec_server, ambito, staff_user, client_for, django_assert_max_num_queries
):
    message = _sent_by_pec(ambito)
    pec.store(receipt_eml(message, "accettazione"))
    mail.enqueue_formal("notification", CONTEXT, pec="", email="b@example.org", ambito_id=ambito.pk)
    url = reverse("ambito:pec_communications", kwargs={"code": ambito.code})
    client = client_for(staff_user)
    with CaptureQueriesContext(connection) as few:
        page = client.get(url).content.decode()
    assert "ilfaro@pec.example.org" in page and "Accettazione" in page
    assert "il destinatario non ha un indirizzo PEC" in page
    for _ in range(3):  # more communications and receipts: the same queries
        pec.store(receipt_eml(_sent_by_pec(ambito), "accettazione"))
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).content.decode().count("Accettazione") == 4


def test_staff_uploads_a_receipt_once(pec_server, ambito, staff_user, client_for):
    message = _sent_by_pec(ambito)
    url = reverse("ambito:pec_receipt_upload", kwargs={"code": ambito.code, "pk": message.pk})
    client = client_for(staff_user)
    from django.core.files.uploadedfile import SimpleUploadedFile

    for _ in range(2):
        upload = SimpleUploadedFile("ricevuta.eml", receipt_eml(message, "avvenuta-consegna"))
        response = client.post(url, {"file": upload}, follow=True)
    assert "Questa ricevuta era già registrata." in response.content.decode()
    [receipt] = message.pec_receipts.all()
    assert (receipt.kind, receipt.source, receipt.created_by) == (
        "avvenuta-consegna",
        "upload",
        staff_user,
    )
    assert AuditEvent.objects.filter(action="core.pec_receipt.uploaded").count() == 1
    # a receipt of another message is refused
    other = _sent_by_pec(ambito)
    upload = SimpleUploadedFile("ricevuta.eml", receipt_eml(other, "accettazione"))
    page = client.post(url, {"file": upload}, follow=True).content.decode()
    assert "La ricevuta non riguarda questa comunicazione." in page
    assert other.pec_receipts.count() == 0


@pytest.mark.parametrize(
    ("persona", "status"), [("comune_user", 403), ("other_staff", 404), ("entity_admin", 404)]
)
def test_others_cannot_see_or_upload(pec_server, ambito, client_for, request, persona, status):
    message = _sent_by_pec(ambito)
    client = client_for(request.getfixturevalue(persona))
    url = reverse("ambito:pec_communications", kwargs={"code": ambito.code})
    assert client.get(url).status_code == status
    upload_url = reverse(
        "ambito:pec_receipt_upload", kwargs={"code": ambito.code, "pk": message.pk}
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("r.eml", receipt_eml(message, "accettazione"))
    assert client.post(upload_url, {"file": upload}).status_code == status
    assert PecReceipt.objects.count() == 0
