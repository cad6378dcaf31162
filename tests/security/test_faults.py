"""Faults, for real: a Celery worker SIGKILLed while sending 200 e-mails; the SMTP server down;
PostgreSQL connections killed and the database unreachable while requests come in.

Needs PostgreSQL, Redis and a worker (CI has them; see README "Security and reliability")."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from email import message_from_bytes
from pathlib import Path

import pytest
from django.db import close_old_connections, connection, transaction
from django.test import Client

from core import mail
from core.models import OutgoingEmail
from core.tasks import requeue_stale_emails, send_emails
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


class SlowSMTP:
    """aiosmtpd server that takes `delay` s per message and counts a message as delivered only
    if the client is still there to receive the 250 (RFC 5321: no 250, no responsibility)."""

    def __init__(self, delay: float = 0.02):
        from aiosmtpd.controller import Controller

        self.delivered: list[str] = []
        self.delay = delay
        outer = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                await asyncio.sleep(outer.delay)
                # The client died while we "stored" the message (its socket reached EOF): it
                # will never see the 250, so the message is not ours to deliver.
                transport, reader = server.transport, getattr(server, "_reader", None)
                if (
                    transport is None
                    or transport.is_closing()
                    or (reader is not None and reader.at_eof())
                ):
                    return "421 client gone"
                outer.delivered.append(message_from_bytes(envelope.content)["Message-ID"])
                return "250 Message accepted"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


def start_worker(name: str, extra_env: dict[str, str]) -> subprocess.Popen:
    from config.celery import app

    db = connection.settings_dict
    env = {
        **os.environ,
        **extra_env,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
    }
    env.pop("TEST_DATABASE_NAME", None)
    celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
    node = f"{name}-{os.getpid()}-{time.monotonic_ns()}@%h"
    proc = subprocess.Popen(
        [
            celery,
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "-l",
            "warning",
            "-Q",
            "default",
            "-n",
            node,
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        replies = app.control.inspect(timeout=1).ping() or {}
        if any(k.startswith(node.split("@")[0]) for k in replies):
            return proc
        if proc.poll() is not None:
            pytest.fail("Celery worker exited at start-up")
    proc.kill()
    pytest.fail("Celery worker did not answer within 60 s")


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture
def real_celery():
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield app
    app.conf.task_always_eager = previous


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.celery_worker
@pytest.mark.smtp
def test_worker_killed_while_sending_200_emails_delivers_each_exactly_once(
    transactional_db, real_celery
):
    with SlowSMTP(delay=0.03) as smtp:
        env = {"TEST_EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}", "EMAIL_STALE_CLAIM_SECONDS": "3"}
        first = start_worker("victim", env)
        try:
            with transaction.atomic():
                emails = [
                    mail.build(
                        "notification",
                        {"title": f"Invito {i}", "body": "Seduta del tavolo", "url": "/"},
                        to=f"ente{i}@example.org",
                    )
                    for i in range(200)
                ]
                created = mail.enqueue_many(emails)
            ids = [e.pk for e in created]
            wait_for(lambda: len(smtp.delivered) >= 25, 60, "the first messages")
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        finally:
            if first.poll() is None:
                first.kill()
        killed_at = len(smtp.delivered)
        assert killed_at < 200, "the worker finished before it was killed: the test proves nothing"
        stuck = (
            OutgoingEmail.objects.filter(pk__in=ids)
            .exclude(status=OutgoingEmail.Status.SENT)
            .count()
        )
        assert stuck > 0

        second = start_worker("rescuer", env)
        try:
            time.sleep(3.5)  # the stale window of the test (EMAIL_STALE_CLAIM_SECONDS)
            requeue_stale_emails.delay()  # what celery beat does every 5 minutes
            wait_for(
                lambda: (
                    OutgoingEmail.objects.filter(
                        pk__in=ids, status=OutgoingEmail.Status.SENT
                    ).count()
                    == 200
                ),
                120,
                "all 200 messages sent",
            )
        finally:
            second.terminate()
            second.wait(timeout=20)

    expected = {OutgoingEmail(pk=pk).message_id for pk in ids}
    # Every message arrived, and each Message-ID (stable across resends) exactly once - with one
    # exception SMTP itself cannot rule out: the message on the wire at the instant of the kill,
    # accepted by the server (250) before the dead worker could record it as sent. It is resent
    # with the SAME Message-ID, so mail clients and MTAs collapse the two copies.
    assert set(smtp.delivered) == expected, "a message was lost"
    counts = Counter(smtp.delivered)
    twice = [m for m, n in counts.items() if n > 1]
    assert len(smtp.delivered) <= 201 and all(counts[m] == 2 for m in twice), (
        f"{len(smtp.delivered)} deliveries (killed after {killed_at}): duplicates {twice}"
    )
    for message_id in twice:  # only the one in flight when the worker died
        first = smtp.delivered.index(message_id)
        assert killed_at - 2 <= first <= killed_at + 1, (message_id, first, killed_at)


@pytest.mark.smtp
@pytest.mark.django_db
def test_smtp_down_messages_wait_retry_then_fail_and_staff_can_resend(
    settings, client_for, staff_user, ambito, django_capture_on_commit_callbacks
):
    port = free_port()  # nothing listens here: the server is down
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    email = mail.build(
        "notification",
        {"title": "Invito", "body": "x", "url": "/"},
        to="ente@example.org",
        ambito_id=ambito.pk,
    )
    email.save()

    from celery.exceptions import Retry

    with pytest.raises(Retry):
        send_emails.apply(args=[[email.pk]], throw=True)
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.QUEUED and email.last_error  # waits, to be retried
    send_emails.apply(args=[[email.pk]], retries=send_emails.max_retries)
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.FAILED

    client = client_for(staff_user)
    page = client.get("/ambiti/email-non-inviate/").content.decode()
    assert "ente@example.org" in page
    assert client.get("/").status_code == 200, "nothing else breaks"

    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(f"/ambiti/email-non-inviate/{email.pk}/reinvia/").status_code == 302
    finally:
        controller.stop()
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT and len(received) == 1
    assert client.get("/ambiti/email-non-inviate/").context["page_obj"].paginator.count == 0


def _terminate_backend(pid: int) -> None:
    import psycopg

    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.postgres
def test_killed_database_connections_recover_without_restart(transactional_db, no_role_user):
    connection.settings_dict["CONN_MAX_AGE"] = 60  # persistent connections, as in production
    try:
        client = Client(raise_request_exception=False)
        client.force_login(no_role_user)
        assert client.get("/health/").status_code == 200
        for _ in range(3):
            connection.ensure_connection()
            _terminate_backend(connection.connection.info.backend_pid)
            # CONN_HEALTH_CHECKS: the dead connection is noticed at the start of the request. The
            # real WSGI handler runs close_old_connections on request_started; Django's test
            # client disconnects it, so do here what the server does.
            close_old_connections()
            assert client.get("/la-mia-area/").status_code == 200
            close_old_connections()
            assert client.get("/health/").status_code == 200
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = 0
        connection.close()


@pytest.mark.postgres
def test_database_down_fails_cleanly_and_recovers(transactional_db):
    client = Client(raise_request_exception=False)
    real_port = connection.settings_dict["PORT"]
    try:
        connection.close()
        connection.settings_dict["PORT"] = str(free_port())  # the database is unreachable
        health = client.get("/health/")
        assert health.status_code == 503 and health.json()["failed"] == ["database"]
        page = client.get("/privacy/")
        assert page.status_code == 500
        assert "<!DOCTYPE html>" in page.content.decode() or "<html" in page.content.decode()
        assert "Traceback" not in page.content.decode()
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real_port
    assert client.get("/health/").status_code == 200
    assert client.get("/privacy/").status_code == 200
