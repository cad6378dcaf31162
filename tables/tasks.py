"""Thin Celery tasks: they take ids, re-read state and skip work already done."""

from __future__ import annotations

from celery import shared_task

from core import jobs


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=5,
)
def deliver_meeting_messages(meeting_id: int) -> int:
    """Build and queue the invitation, update or cancellation e-mails of a meeting."""
    from tables import services

    return services.meeting_deliver(meeting_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_meeting_reminders() -> int:
    """Celery beat, hourly: reminders for tomorrow's meetings (each invitee once)."""
    from tables import services

    return services.send_reminders()


def produce_minutes_pdf(job, progress) -> tuple[str, bytes]:
    """The PDF of a published version of the minutes (the job's owner), from its record."""
    from tables.minutes_pdf import minutes_pdf_bytes
    from tables.models import MinutesVersion

    progress(10)
    version = MinutesVersion.objects.select_related("minutes__meeting__table").get(pk=job.object_id)
    return minutes_pdf_bytes(version)


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=600, soft_time_limit=570)
def render_minutes_pdf(job_id: int) -> None:
    jobs.run(job_id, produce_minutes_pdf)
