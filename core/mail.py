"""The one e-mail pipeline. Every message is rendered from templates/emails/<name>/{subject.txt,
body.txt,body.html}, stored in the outbox (OutgoingEmail) inside the caller's transaction, and sent
by Celery after commit, in batches that reuse one SMTP connection. A message is claimed before it is
sent, so a retried task or a second click never sends it twice."""

from __future__ import annotations

import base64
import logging
import smtplib
import socket
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation

from core.forms import single_line
from core.models import OutgoingEmail

logger = logging.getLogger(__name__)

# Errors worth retrying: the server or the network, not the message.
TRANSIENT_ERRORS = (smtplib.SMTPException, socket.error, TimeoutError, ConnectionError)
STALE_CLAIM = timedelta(minutes=10)  # default of settings.EMAIL_STALE_CLAIM_SECONDS


def stale_claim() -> timedelta:
    """How long a claimed message may stay "sending" before another worker may send it (the
    claiming worker is then presumed dead). Configurable so that fault tests can shorten it."""
    seconds = getattr(settings, "EMAIL_STALE_CLAIM_SECONDS", None)
    return STALE_CLAIM if seconds is None else timedelta(seconds=seconds)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str

    def as_json(self) -> dict[str, str]:
        return {
            "filename": self.filename,
            "mimetype": self.mimetype,
            "content_b64": base64.b64encode(self.content).decode("ascii"),
        }


def render_text(name: str, context: Mapping[str, Any]) -> str:
    """A template whose output is text, not HTML (a subject, a plain-text body): rendered with
    autoescaping off, so that a title with a quote, "<" or "&" arrives as written instead of as
    `&quot;`, `&lt;`, `&amp;`."""
    return get_template(name).template.render(Context(dict(context), autoescape=False))


def render(template: str, context: Mapping[str, Any]) -> tuple[str, str, str]:
    """(subject, text, html) for templates/emails/<template>/. The subject and the text body are
    text (render_text); the subject is put on one line, without blanks at its ends; the HTML
    body is escaped as every HTML page is."""
    ctx = {"site_url": settings.SITE_URL, "portal_name": settings.PORTAL_NAME, **context}
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_text(f"emails/{template}/subject.txt", ctx).split())
        text = render_text(f"emails/{template}/body.txt", ctx)
        html = render_to_string(f"emails/{template}/body.html", ctx)
    return subject[:255], text, html


def build(
    template: str,
    context: Mapping[str, Any],
    *,
    to: str,
    attachments: Sequence[Attachment] = (),
    reply_to: str = "",
    ambito_id: int | None = None,
) -> OutgoingEmail:
    """An unsaved message. `ambito_id` lets that ambito's Ufficio di Piano see it if it fails."""
    subject, text, html = render(template, context)
    return OutgoingEmail(
        ambito_id=ambito_id,
        to=to,
        subject=subject,
        body_text=text,
        body_html=html,
        template=template,
        reply_to=reply_to,
        attachments=[a.as_json() for a in attachments],
    )


def enqueue(
    template: str,
    context: Mapping[str, Any],
    *,
    to: str,
    attachments: Sequence[Attachment] = (),
    reply_to: str = "",
    ambito_id: int | None = None,
) -> OutgoingEmail:
    """Store one message and send it after the surrounding transaction commits."""
    email = build(
        template, context, to=to, attachments=attachments, reply_to=reply_to, ambito_id=ambito_id
    )
    email.save()
    schedule([email.pk])
    return email


def enqueue_formal(
    template: str,
    context: Mapping[str, Any],
    *,
    pec: str = "",
    email: str = "",
    attachments: Sequence[Attachment] = (),
    reply_to: str = "",
    ambito_id: int | None = None,
) -> OutgoingEmail:
    """A formal communication (admission, exclusion, 10-bis notice, outcome, agreement): by PEC
    to `pec` when the portal has a PEC account (core.pec) and the recipient a PEC address, else
    by ordinary e-mail to `email`, with the reason recorded on the message (`channel_note`) for
    the Ufficio di Piano to see. The PEC provider's receipts attach to the returned message."""
    from core import pec as pec_channel

    channel, note = pec_channel.choose(pec=pec, email=email)
    to = pec if channel == OutgoingEmail.Channel.PEC else email
    if not to:
        raise ValueError("A formal communication needs a PEC or an e-mail address")
    message = build(
        template, context, to=to, attachments=attachments, reply_to=reply_to, ambito_id=ambito_id
    )
    message.channel, message.formal, message.channel_note = channel, True, note
    if note:
        logger.warning("Formal communication to %s by ordinary e-mail: %s", to, note)
    message.save()
    schedule([message.pk])
    return message


def enqueue_rendered(
    *, to: str, subject: str, text: str, html: str = "", template: str = ""
) -> OutgoingEmail:
    """Store a message rendered elsewhere (allauth's account e-mails) and send it after commit."""
    email = OutgoingEmail.objects.create(
        to=to,
        subject=" ".join(subject.split())[:255],
        body_text=text,
        body_html=html,
        template=template,
    )
    schedule([email.pk])
    return email


def enqueue_many(emails: Iterable[OutgoingEmail]) -> list[OutgoingEmail]:
    """Store many built messages at once; they go out in batches of EMAIL_BATCH_SIZE."""
    created = OutgoingEmail.objects.bulk_create(list(emails), batch_size=500)
    if created and created[0].pk is None:  # databases that do not return ids from bulk inserts
        raise RuntimeError("bulk_create did not return primary keys")
    schedule([e.pk for e in created])
    return created


def schedule(ids: Sequence[int]) -> None:
    from core.tasks import send_emails

    size = settings.EMAIL_BATCH_SIZE
    for start in range(0, len(ids), size):
        chunk = list(ids[start : start + size])
        transaction.on_commit(lambda chunk=chunk: send_emails.delay(chunk))


def to_message(email: OutgoingEmail, connection=None) -> EmailMultiAlternatives:
    pec = email.channel == OutgoingEmail.Channel.PEC
    message = EmailMultiAlternatives(
        subject=single_line(email.subject),
        body=email.body_text,
        from_email=settings.PEC_FROM_EMAIL if pec else settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        reply_to=[email.reply_to] if email.reply_to else None,
        headers={"Message-ID": email.message_id, "Auto-Submitted": "auto-generated"},
        connection=connection,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    for a in email.attachments:
        message.attach(
            single_line(a["filename"]), base64.b64decode(a["content_b64"]), a["mimetype"]
        )
    return message


def _claim(pk: int) -> OutgoingEmail | None:
    now = timezone.now()
    claimable = OutgoingEmail.objects.filter(pk=pk).filter(
        status=OutgoingEmail.Status.QUEUED
    ) | OutgoingEmail.objects.filter(
        pk=pk, status=OutgoingEmail.Status.SENDING, claimed_at__lt=now - stale_claim()
    )
    if not claimable.update(status=OutgoingEmail.Status.SENDING, claimed_at=now):
        return None
    return OutgoingEmail.objects.get(pk=pk)


def send_now(ids: Sequence[int]) -> tuple[list[int], list[int]]:
    """Send the queued messages among `ids`: those of each channel over one connection (PEC
    messages through the PEC account, core.pec).

    Returns (sent ids, ids to retry). A message is marked SENT right after the server accepted
    it. A transient failure puts the message back in the queue and stops the batch (the server is
    likely down); a permanent one marks it FAILED with the error."""
    by_pk = dict(OutgoingEmail.objects.filter(pk__in=ids).values_list("pk", "channel"))
    pec_ids = [pk for pk in ids if by_pk.get(pk) == OutgoingEmail.Channel.PEC]
    if not pec_ids:
        return _send_batch(ids, get_connection())
    from core import pec

    email_ids = [pk for pk in ids if pk not in set(pec_ids)]
    sent, retry = _send_batch(email_ids, get_connection()) if email_ids else ([], [])
    if not pec.is_configured():  # the PEC account was removed after these were queued
        mark_failed(pec_ids, "Account PEC non configurato (PEC_EMAIL_URL).")
        return sent, retry
    pec_sent, pec_retry = _send_batch(pec_ids, pec.connection())
    return sent + pec_sent, retry + pec_retry


def _send_batch(ids: Sequence[int], connection) -> tuple[list[int], list[int]]:
    sent: list[int] = []
    try:
        connection.open()
    except TRANSIENT_ERRORS as exc:
        OutgoingEmail.objects.filter(pk__in=ids, status=OutgoingEmail.Status.QUEUED).update(
            last_error=str(exc)[:2000]
        )
        return sent, list(ids)
    try:
        for index, pk in enumerate(ids):
            email = _claim(pk)
            if email is None:
                continue  # already sent, or being sent by another worker
            attempts = email.attempts + 1
            try:
                connection.send_messages([to_message(email)])
            except TRANSIENT_ERRORS as exc:
                OutgoingEmail.objects.filter(pk=pk).update(
                    status=OutgoingEmail.Status.QUEUED,
                    attempts=attempts,
                    last_error=str(exc)[:2000],
                )
                return sent, list(ids[index:])  # the server is likely down: retry the rest later
            except Exception as exc:  # a message that can never go (bad address, bad attachment)
                logger.exception("E-mail %s failed permanently", pk)
                OutgoingEmail.objects.filter(pk=pk).update(
                    status=OutgoingEmail.Status.FAILED,
                    attempts=attempts,
                    last_error=str(exc)[:2000],
                )
                continue
            OutgoingEmail.objects.filter(pk=pk).update(
                status=OutgoingEmail.Status.SENT,
                sent_at=timezone.now(),
                attempts=attempts,
                last_error="",
            )
            sent.append(pk)
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - closing a broken connection must not hide the result
            logger.debug("closing SMTP connection failed", exc_info=True)
    return sent, []


def mark_failed(ids: Sequence[int], error: str) -> None:
    OutgoingEmail.objects.filter(pk__in=ids).exclude(status=OutgoingEmail.Status.SENT).update(
        status=OutgoingEmail.Status.FAILED, last_error=error[:2000]
    )


def resend(email: OutgoingEmail) -> None:
    """Put a failed message back in the queue (staff's "resend" button)."""
    if OutgoingEmail.objects.filter(pk=email.pk, status=OutgoingEmail.Status.FAILED).update(
        status=OutgoingEmail.Status.QUEUED, last_error=""
    ):
        schedule([email.pk])
