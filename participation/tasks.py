"""Thin Celery tasks of participation."""

from __future__ import annotations

from celery import shared_task

from participation.services import events


@shared_task(acks_late=True, reject_on_worker_lost=True)
def purge_old_registrations() -> int:
    """Idempotent: deletes only what is past the retention period."""
    return events.registrations_purge()
