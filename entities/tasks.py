"""Thin Celery tasks: they take ids and call a service (see core.jobs)."""

from __future__ import annotations

from celery import shared_task

from core import jobs


@shared_task(
    bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=3, time_limit=1800,
    soft_time_limit=1740,
)  # fmt: skip
def import_entities(self, job_id: int) -> None:
    """Import the job's stored file (entities.services.imports.run_import). Idempotent: a finished
    job is skipped; a transient database or network error is retried with backoff."""
    from entities.services.imports import run_import

    final = self.request.retries >= self.max_retries
    try:
        jobs.run_action(job_id, run_import, final_attempt=final)
    except jobs.TRANSIENT_ERRORS as exc:
        if final:
            raise
        raise self.retry(exc=exc, countdown=10 * 2**self.request.retries) from exc
