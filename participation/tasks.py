"""Thin Celery tasks of participation."""

from __future__ import annotations

from celery import shared_task

from participation.services import events


@shared_task(acks_late=True, reject_on_worker_lost=True)
def expire_registration_holds() -> int:
    """Celery beat, every two minutes: requests whose address was not confirmed in time give
    their held seats back. Idempotent."""
    return events.registrations_expire()
