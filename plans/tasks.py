"""Thin Celery tasks: they take ids and call a producer (see core.jobs)."""

from __future__ import annotations

from celery import shared_task

from core import jobs


@shared_task(acks_late=True, reject_on_worker_lost=True)
def render_plan_pdf(job_id: int) -> None:
    from plans.exports import produce_pdf

    jobs.run(job_id, produce_pdf)
