"""PEC (posta elettronica certificata): the separate SMTP account that formal communications
leave through (core.mail.enqueue_formal), and the provider's receipts.

A PEC provider answers each message with receipts, e-mails carrying a `daticert.xml` (DPR
68/2005 and its technical rules, DM 2 November 2005): `accettazione` (the sender's provider took
it), `avvenuta-consegna` (it is in the recipient's mailbox), `errore-consegna` / `preavviso-
errore-consegna` (mancata consegna). Each names the original Message-ID in `<msgid>`: the
outbox's `<outbox-<pk>@host>`, which ties the receipt to the message. Receipts are read from the
PEC mailbox over IMAP by a beat task (fetch_receipts), or uploaded by staff as .eml files; the
same receipt read twice is stored once (its SHA-256)."""

from __future__ import annotations

import email
import email.policy
import hashlib
import imaplib
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote, urlsplit

from defusedxml import ElementTree
from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.models import OutgoingEmail, PecReceipt

logger = logging.getLogger(__name__)

OUTBOX_MSGID = re.compile(r"<?outbox-(\d+)@[^>]*>?")
# daticert's `tipo` -> the receipt's kind (mancata consegna has several names in the standard).
KINDS = {
    "accettazione": PecReceipt.Kind.ACCEPTED,
    "non-accettazione": PecReceipt.Kind.NOT_ACCEPTED,
    "presa-in-carico": PecReceipt.Kind.TAKEN,
    "avvenuta-consegna": PecReceipt.Kind.DELIVERED,
    "errore-consegna": PecReceipt.Kind.NOT_DELIVERED,
    "preavviso-errore-consegna": PecReceipt.Kind.NOT_DELIVERED,
    "mancata-consegna": PecReceipt.Kind.NOT_DELIVERED,
    "rilevazione-virus": PecReceipt.Kind.NOT_DELIVERED,
}
MAX_RECEIPTS_PER_RUN = 500


class ReceiptError(ValueError):
    """A file that is not a PEC receipt of a message sent by the portal (shown to staff)."""


# --- sending ---------------------------------------------------------------------------------
def is_configured() -> bool:
    return bool(getattr(settings, "PEC_EMAIL_CONFIG", None) and settings.PEC_FROM_EMAIL)


def choose(*, pec: str, email: str) -> tuple[str, str]:
    """(channel, note): PEC when possible, else e-mail with the reason."""
    if is_configured() and pec:
        return OutgoingEmail.Channel.PEC, ""
    if not is_configured():
        return OutgoingEmail.Channel.EMAIL, _(
            "Inviata con e-mail ordinaria: la PEC del portale non è configurata."
        )
    return OutgoingEmail.Channel.EMAIL, _(
        "Inviata con e-mail ordinaria: il destinatario non ha un indirizzo PEC."
    )


def connection():
    """A connection to the PEC provider's SMTP server (settings.PEC_EMAIL_URL)."""
    config = settings.PEC_EMAIL_CONFIG
    return get_connection(
        backend=config.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        host=config.get("EMAIL_HOST"),
        port=config.get("EMAIL_PORT"),
        username=config.get("EMAIL_HOST_USER") or None,
        password=config.get("EMAIL_HOST_PASSWORD") or None,
        use_tls=config.get("EMAIL_USE_TLS", False),
        use_ssl=config.get("EMAIL_USE_SSL", False),
        timeout=settings.EMAIL_TIMEOUT,
    )


# --- reading receipts ------------------------------------------------------------------------
@dataclass(frozen=True)
class Daticert:
    pec_type: str
    error: str
    identifier: str
    msgid: str
    occurred_at: datetime | None
    recipient: str

    @property
    def kind(self) -> str:
        return KINDS.get(self.pec_type, PecReceipt.Kind.OTHER)

    @property
    def outbox_pk(self) -> int | None:
        match = OUTBOX_MSGID.search(self.msgid)
        return int(match.group(1)) if match else None


def _text(root, path: str) -> str:
    node = root.find(path)
    return (node.text or "").strip() if node is not None else ""


def _when(root) -> datetime | None:
    """<data zona="+0100"><giorno>05/12/2026</giorno><ora>15:30:00</ora></data>"""
    node = root.find("dati/data")
    if node is None:
        return None
    zone = node.get("zona", "+0000")
    try:
        return datetime.strptime(
            f"{_text(node, 'giorno')} {_text(node, 'ora')} {zone}", "%d/%m/%Y %H:%M:%S %z"
        )
    except ValueError:
        return None


def parse_daticert(xml: bytes) -> Daticert:
    try:
        root = ElementTree.fromstring(xml)
    except (ElementTree.ParseError, ValueError) as exc:  # defusedxml's errors are ValueErrors
        raise ReceiptError(_("Il file daticert.xml non è leggibile.")) from exc
    if root.tag != "postacert" or not root.get("tipo"):
        raise ReceiptError(_("Il file non è una ricevuta PEC (daticert.xml)."))
    return Daticert(
        pec_type=root.get("tipo", ""),
        error=root.get("errore", "") if root.get("errore") != "nessuno" else "",
        identifier=_text(root, "dati/identificativo"),
        msgid=_text(root, "dati/msgid"),
        occurred_at=_when(root),
        recipient=_text(root, "dati/consegna") or _text(root, "intestazione/destinatari"),
    )


def daticert_of(raw: bytes) -> bytes:
    """The daticert.xml of a receipt e-mail (.eml), or of a bare daticert.xml."""
    if raw.lstrip().startswith(b"<"):
        return raw
    message = email.message_from_bytes(raw, policy=email.policy.default)
    for part in message.walk():
        if (part.get_filename() or "").lower() == "daticert.xml":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes) and payload:
                return payload
    raise ReceiptError(_("Il messaggio non contiene una ricevuta PEC (daticert.xml)."))


def store(
    raw: bytes, *, source: str = PecReceipt.Source.IMAP, user=None, email_id: int | None = None
) -> tuple[PecReceipt, bool]:
    """Store the receipt in `raw` (.eml or daticert.xml) with the message it is about;
    (receipt, created). Idempotent: a receipt already stored is returned as it is. With
    `email_id`, the receipt must be about that message."""
    xml = daticert_of(raw)
    data = parse_daticert(xml)
    pk = data.outbox_pk
    if pk is None or (email_id is not None and pk != email_id):
        raise ReceiptError(_("La ricevuta non riguarda questa comunicazione."))
    message = OutgoingEmail.objects.filter(pk=pk, formal=True).first()
    if message is None:
        raise ReceiptError(_("La ricevuta riguarda un messaggio che il portale non conosce."))
    fingerprint = hashlib.sha256(xml).hexdigest()
    defaults = {
        "email": message,
        "kind": data.kind,
        "pec_type": data.pec_type[:40],
        "identifier": data.identifier[:255],
        "occurred_at": data.occurred_at,
        "recipient": data.recipient[:255],
        "error": data.error[:500],
        "daticert": xml.decode("utf-8", errors="replace"),
        "source": source,
        "created_by": user,
    }
    try:
        with transaction.atomic():
            return PecReceipt.objects.get_or_create(fingerprint=fingerprint, defaults=defaults)
    except IntegrityError:  # stored meanwhile by another worker
        return PecReceipt.objects.get(fingerprint=fingerprint), False


def _imap():
    url = urlsplit(settings.PEC_IMAP_URL)
    secure = url.scheme == "imaps"
    port = url.port or (993 if secure else 143)
    client_class = imaplib.IMAP4_SSL if secure else imaplib.IMAP4
    client = client_class(url.hostname or "localhost", port, timeout=settings.EMAIL_TIMEOUT)
    client.login(unquote(url.username or ""), unquote(url.password or ""))
    client.select(unquote(url.path.strip("/")) or "INBOX")
    return client


def fetch_receipts() -> int:
    """Read the unread messages of the PEC mailbox, store the receipts of the portal's messages,
    mark them read. Returns how many receipts were new. Idempotent: a receipt read again (a
    mailbox that does not keep the read flag, a run interrupted before marking) is not stored
    twice."""
    if not settings.PEC_IMAP_URL:
        return 0
    client = _imap()
    created_count = 0
    try:
        _status, data = client.uid("SEARCH", None, "UNSEEN")
        uids = (data[0] or b"").split()[:MAX_RECEIPTS_PER_RUN]
        for uid in uids:
            _status, parts = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((p[1] for p in parts if isinstance(p, tuple)), b"")
            try:
                _receipt, created = store(raw)
                created_count += created
            except ReceiptError as exc:  # another message of the mailbox: left alone, read
                logger.info("PEC mailbox message %s skipped: %s", uid, exc)
            client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    finally:
        try:
            client.logout()
        except (imaplib.IMAP4.error, OSError):
            logger.debug("IMAP logout failed", exc_info=True)
    return created_count
