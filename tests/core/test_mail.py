import smtplib

import pytest
from celery.exceptions import Retry
from django.core import mail as django_mail

from core import mail
from core.models import OutgoingEmail
from core.tasks import send_emails


def _build(to="a@example.org"):
    return mail.build("notification", {"notification": {"title": "Prova", "url": "/x/"}}, to=to)


@pytest.mark.django_db
def test_enqueue_sends_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = mail.enqueue(
            "notification",
            {"notification": {"title": "Benvenuto", "url": "/"}, "user": None},
            to="a@example.org",
        )
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert len(django_mail.outbox) == 1
    sent = django_mail.outbox[0]
    assert sent.subject == "Benvenuto"
    assert sent.extra_headers["Message-ID"] == email.message_id
    assert sent.alternatives[0][1] == "text/html"


@pytest.mark.django_db
def test_nothing_is_sent_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                mail.enqueue("notification", {"notification": {"title": "X"}}, to="a@example.org")
                raise RuntimeError
        except RuntimeError:
            pass
    assert callbacks == [] and OutgoingEmail.objects.count() == 0 and django_mail.outbox == []


@pytest.mark.django_db
def test_sending_twice_sends_once():
    email = _build()
    email.save()
    send_emails.apply(args=[[email.pk]])
    send_emails.apply(args=[[email.pk]])
    assert len(django_mail.outbox) == 1


@pytest.mark.django_db
def test_batch_uses_one_connection(monkeypatch):
    opened = []
    from django.core.mail.backends.locmem import EmailBackend

    monkeypatch.setattr(EmailBackend, "open", lambda self: opened.append(1) or True, raising=False)
    emails = OutgoingEmail.objects.bulk_create([_build(f"u{i}@example.org") for i in range(5)])
    sent, retry = mail.send_now([e.pk for e in emails])
    assert len(sent) == 5 and retry == [] and len(opened) == 1


@pytest.mark.django_db
def test_smtp_down_retries_then_marks_failed(monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    def boom(self, messages):
        raise smtplib.SMTPServerDisconnected("server down")

    monkeypatch.setattr(EmailBackend, "send_messages", boom)
    email = _build()
    email.save()
    with pytest.raises(Retry):  # first attempt: back in the queue, retried later with backoff
        send_emails.apply(args=[[email.pk]], throw=True)
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.QUEUED and "server down" in email.last_error
    send_emails.apply(args=[[email.pk]], retries=send_emails.max_retries)  # the last attempt
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.FAILED
    assert "ripetuti tentativi" in email.last_error
    assert django_mail.outbox == []


@pytest.mark.django_db
def test_resend_failed(django_capture_on_commit_callbacks):
    email = _build()
    email.status = OutgoingEmail.Status.FAILED
    email.save()
    with django_capture_on_commit_callbacks(execute=True):
        mail.resend(email)
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT


@pytest.mark.smtp
@pytest.mark.django_db
def test_real_smtp_server_receives_message(smtp_server):
    email = _build("persona@example.org")
    email.save()
    mail.send_now([email.pk])
    assert [e.rcpt_tos for e in smtp_server] == [["persona@example.org"]]
