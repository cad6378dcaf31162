"""Core background work: sending the outbox, notification digests, health round-trip and the
worker heartbeat read by /health/."""

from __future__ import annotations

import socket

from celery import shared_task
from celery.signals import worker_ready
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from core import mail, notifications, retention
from core.models import OutgoingEmail, WorkerHeartbeat

MAX_EMAIL_RETRIES = 6


@shared_task(bind=True, max_retries=MAX_EMAIL_RETRIES, acks_late=True, reject_on_worker_lost=True)
def send_emails(self, ids: list[int]) -> int:
    """Send outbox messages; transient failures retry with exponential backoff, then the
    messages are marked failed so that staff see them and can resend."""
    sent, retry = mail.send_now(ids)
    if retry:
        if self.request.retries >= self.max_retries:
            mail.mark_failed(
                retry,
                "Invio non riuscito dopo ripetuti tentativi: server di posta non raggiungibile.",
            )
        else:
            raise self.retry(args=[retry], countdown=min(30 * 2**self.request.retries, 3600))
    return len(sent)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def requeue_stale_emails() -> int:
    """Messages claimed by a worker that died: send them again (beat, every few minutes)."""
    stale = list(
        OutgoingEmail.objects.filter(
            status=OutgoingEmail.Status.SENDING, claimed_at__lt=timezone.now() - mail.stale_claim()
        ).values_list("pk", flat=True)[:5000]
    )
    queued = list(
        OutgoingEmail.objects.filter(
            status=OutgoingEmail.Status.QUEUED,
            created_at__lt=timezone.now() - mail.stale_claim(),
            attempts=0,
        ).values_list("pk", flat=True)[:5000]
    )
    ids = stale + queued
    for start in range(0, len(ids), 100):
        send_emails.delay(ids[start : start + 100])
    return len(ids)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_notification_digests() -> int:
    return notifications.send_digests()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def apply_retention() -> dict[str, int]:
    """Nightly (celery beat): delete what is past each stated retention period. Idempotent."""
    return retention.apply()


@shared_task
def healthcheck() -> dict[str, int | str]:
    """Round-trip used by the health page and the CI smoke test: proves that a worker reaches the
    database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"database": connection.vendor, "users": get_user_model().objects.count()}


def record_heartbeat(worker: str) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker=worker[:255], defaults={"seen_at": timezone.now()}
    )


# Scheduled by beat every minute and dropped if still queued after that (a backlog must not pile
# up heartbeats): a recent row proves that beat sends and a worker takes tasks from the queue.
@shared_task(bind=True, ignore_result=True, expires=60)
def heartbeat(self) -> None:
    record_heartbeat(self.request.hostname or socket.gethostname())


@worker_ready.connect
def _heartbeat_at_start(sender=None, **kwargs) -> None:
    """A worker that just started counts as alive before beat's first heartbeat reaches it."""
    record_heartbeat(getattr(sender, "hostname", None) or socket.gethostname())


@shared_task(acks_late=True, reject_on_worker_lost=True)
def fetch_pec_receipts() -> int:
    """Beat, every PEC_IMAP_POLL_SECONDS: store the PEC provider's receipts (core.pec)."""
    from core import pec

    return pec.fetch_receipts()
