"""Thin Celery tasks: they take ids and call a service (idempotent: claimed in the service)."""

from __future__ import annotations

from celery import shared_task

# Every task here sends e-mail: acknowledged after the run, retried with back-off when the mail
# server (or the network) fails.
DELIVERY = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OSError,),
    "retry_backoff": True,
    "max_retries": 5,
}


@shared_task(**DELIVERY)
def notify_notice_published(notice_id: int) -> int:
    from processes.services import notice_notify

    return notice_notify(notice_id)


@shared_task(**DELIVERY)
def send_application_receipt(application_id: int) -> bool:
    from processes.services import application_receipt_send

    return application_receipt_send(application_id)


@shared_task(**DELIVERY)
def notify_window_reopened(reopening_id: int) -> int:
    from processes.services import window_reopening_notify

    return window_reopening_notify(reopening_id)
