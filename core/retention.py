"""Retention of personal data: every period the privacy page states is applied here.

The periods are settings (config/settings/base.py, "Retention of personal data"). The nightly
task core.tasks.apply_retention calls `apply`, which runs each rule in the "retention" slot of
core.registry (core's, registered in core/contributions.py; participation's event registrations).
Rules take the current time, delete only what is past its period, and return how many rows went:
a second run finds nothing to do. Approved minutes are not deleted (they are acts): they leave public
consultation when their period ends, which their visibility computes (tables.permissions)."""

from __future__ import annotations

import calendar
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from core import registry
from core.models import AuditEvent, FileJob, Notification, OutgoingEmail

logger = logging.getLogger(__name__)


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` earlier (the month's last day when it is shorter)."""
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    month += 1
    return moment.replace(
        year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1])
    )


def online_since(*, years: int, now: datetime | None = None) -> datetime:
    """Acts published with personal data stay online `years` years from 1 January of the year
    after their publication (d.lgs. 33/2013 art. 8, Garante's guidelines of 2014): those
    published since the returned moment are still online."""
    now = timezone.localtime(now or timezone.now())
    return now.replace(
        year=now.year - years, month=1, day=1, hour=0, minute=0, second=0, microsecond=0
    )


def outbox_purge(now: datetime) -> int:
    """Copies of sent e-mails go RETENTION_SENT_EMAILS_DAYS after they left, those that could
    not be delivered RETENTION_FAILED_EMAILS_DAYS after they were written."""
    sent = OutgoingEmail.objects.filter(
        status=OutgoingEmail.Status.SENT,
        sent_at__lt=now - timedelta(days=settings.RETENTION_SENT_EMAILS_DAYS),
    )
    failed = OutgoingEmail.objects.filter(
        status=OutgoingEmail.Status.FAILED,
        created_at__lt=now - timedelta(days=settings.RETENTION_FAILED_EMAILS_DAYS),
    )
    return sent.delete()[0] + failed.delete()[0]


def notifications_purge(now: datetime) -> int:
    return Notification.objects.filter(
        created_at__lt=now - timedelta(days=settings.RETENTION_NOTIFICATIONS_DAYS)
    ).delete()[0]


def sessions_purge(now: datetime) -> int:
    """A session lasts SESSION_COOKIE_AGE at most: the record of a session (its IP address and
    browser, allauth's UserSession) goes once it has been idle longer than that (its activity is
    written every USERSESSIONS_ACTIVITY_INTERVAL seconds); sessions stored in the database
    (embedded mode) go when they expire. Sessions kept in Redis expire there by themselves."""
    from allauth.usersessions.models import UserSession

    idle = timedelta(seconds=settings.SESSION_COOKIE_AGE + settings.USERSESSIONS_ACTIVITY_INTERVAL)
    records = UserSession.objects.filter(last_seen_at__lt=now - idle).delete()[0]
    return records + Session.objects.filter(expire_date__lt=now).delete()[0]


def audit_trail_purge(now: datetime) -> int:
    """The audit trail is kept RETENTION_AUDIT_YEARS (the ordinary limitation period)."""
    cutoff = months_before(timezone.localtime(now), 12 * settings.RETENTION_AUDIT_YEARS)
    return AuditEvent.objects.filter(created_at__lt=cutoff).delete()[0]


def job_uploads_purge(now: datetime) -> int:
    """Files uploaded for a background job (an import) go RETENTION_IMPORT_UPLOADS_DAYS after
    they were uploaded, if the job did not delete them already (a dry run never confirmed)."""
    old = FileJob.objects.filter(
        created_at__lt=now - timedelta(days=settings.RETENTION_IMPORT_UPLOADS_DAYS)
    ).exclude(upload="")
    gone = 0
    for job in old.only("pk", "upload"):
        job.upload.delete(save=False)  # the rows are emptied together below
        gone += 1
    old.update(upload="")
    return gone


def apply(*, now: datetime | None = None) -> dict[str, int]:
    """Run every retention rule at `now`, each in its own transaction: one that fails is logged
    and raised at the end, after the others have run. Returns {rule: rows deleted}."""
    now = now or timezone.now()
    done: dict[str, int] = {}
    failed: list[Exception] = []
    for name, rule in registry.retention_rules():
        try:
            with transaction.atomic():
                done[name] = rule(now)
        except Exception as exc:  # noqa: BLE001 - the other rules must still run
            logger.exception("retention rule %s failed", name)
            failed.append(exc)
    logger.info("retention applied: %s", done)
    if failed:
        raise failed[0]
    return done
