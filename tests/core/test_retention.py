"""Retention: each period the privacy page states is applied by the nightly task, once, with a
fixed clock; the page states the periods from the settings, and nothing the portal does not do."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils.html import strip_tags

from core import audit, retention
from core.models import AuditEvent, Notification, OutgoingEmail
from participation.models import Booking, Registration
from tests.factories.core import UserFactory
from tests.factories.participation import BookingFactory, EventFactory

pytestmark = pytest.mark.django_db
ROME = ZoneInfo("Europe/Rome")
NOW = datetime(2031, 6, 15, 3, 30, tzinfo=ROME)
DAY = timedelta(days=1)


def _email(status, when, **kw):
    e = OutgoingEmail.objects.create(
        to="x@example.org", subject=status, body_text="x", status=status, **kw
    )
    OutgoingEmail.objects.filter(pk=e.pk).update(created_at=when)
    return e


def _ended_event(ended_at, ambito):
    event = EventFactory(ambito=ambito, starts_at=ended_at - timedelta(hours=3), ends_at=ended_at)
    booking = BookingFactory(registration__event=event, registration__name="Ada Lovelace")
    audit.record(
        actor=None,
        action="participation.registration.created",
        obj=booking.registration,
        ambito_id=ambito.pk,
    )
    return event, booking.registration


def test_every_stated_period_is_applied_once(ambito, staff_user):
    # e-mails: sent ones 90 days after they left, failed ones 365 days after they were written
    sent_old = _email("sent", NOW - 100 * DAY, sent_at=NOW - 90 * DAY - timedelta(minutes=1))
    sent_new = _email("sent", NOW - 100 * DAY, sent_at=NOW - 89 * DAY)
    failed_old = _email("failed", NOW - 365 * DAY - timedelta(minutes=1))
    failed_new = _email("failed", NOW - 364 * DAY)
    queued = _email("queued", NOW - 400 * DAY)  # never sent: not a copy of a sent message
    # notifications, 365 days
    user = UserFactory()
    Notification.objects.create(user=user, kind="x", title="vecchia", created_at=NOW - 366 * DAY)
    note_new = Notification.objects.create(
        user=user, kind="x", title="recente", created_at=NOW - 364 * DAY
    )
    # sessions: a session lasts 8 hours at most; its IP and browser go with it
    UserSession.objects.create(
        user=user,
        ip="192.0.2.1",
        session_key="a" * 32,
        user_agent="x",
        last_seen_at=NOW - timedelta(hours=9),
    )
    live = UserSession.objects.create(
        user=user,
        ip="192.0.2.2",
        session_key="b" * 32,
        user_agent="x",
        last_seen_at=NOW - timedelta(hours=1),
    )
    Session.objects.create(
        session_key="c" * 32, session_data="x", expire_date=NOW - timedelta(minutes=1)
    )
    Session.objects.create(
        session_key="d" * 32, session_data="x", expire_date=NOW + timedelta(hours=1)
    )
    # the audit trail, 10 years
    event_old = audit.record(actor=staff_user, action="x.old", obj=ambito)
    event_new = audit.record(actor=staff_user, action="x.new", obj=ambito)
    AuditEvent.objects.filter(pk=event_old.pk).update(
        created_at=datetime(2021, 6, 15, 3, 29, tzinfo=ROME)
    )
    AuditEvent.objects.filter(pk=event_new.pk).update(
        created_at=datetime(2021, 6, 15, 3, 31, tzinfo=ROME)
    )
    # event registrations, 12 months after the event ended
    old_event, old_registration = _ended_event(datetime(2030, 6, 15, 3, 29, tzinfo=ROME), ambito)
    new_event, new_registration = _ended_event(datetime(2030, 6, 15, 3, 31, tzinfo=ROME), ambito)

    done = retention.apply(now=NOW)

    assert done == {
        "core.audit_trail": 1,
        "core.job_uploads": 0,  # test_files_uploaded_for_an_import_go_after_their_period
        "core.notifications": 1,
        "core.outbox": 2,
        "core.sessions": 2,
        "participation.event_registrations": 1,
    }
    assert set(OutgoingEmail.objects.values_list("pk", flat=True)) == {
        sent_new.pk,
        failed_new.pk,
        queued.pk,
    }
    assert not OutgoingEmail.objects.filter(pk__in=[sent_old.pk, failed_old.pk]).exists()
    assert list(Notification.objects.values_list("pk", flat=True)) == [note_new.pk]
    assert list(UserSession.objects.values_list("pk", flat=True)) == [live.pk]
    assert list(Session.objects.values_list("session_key", flat=True)) == ["d" * 32]
    assert not AuditEvent.objects.filter(pk=event_old.pk).exists()
    assert AuditEvent.objects.filter(pk=event_new.pk).exists()
    assert not Registration.objects.filter(pk=old_registration.pk).exists()
    assert not Booking.objects.filter(registration_id=old_registration.pk).exists()
    assert Registration.objects.filter(pk=new_registration.pk).exists()
    # the trail keeps that registrations were deleted, not who they were
    assert AuditEvent.objects.filter(
        action="participation.registration.purged", object_id=str(old_event.pk)
    ).exists()
    assert not AuditEvent.objects.filter(
        object_repr__contains="Ada Lovelace", object_id=str(old_registration.pk)
    ).exists()

    assert set(retention.apply(now=NOW).values()) == {0}, "a second run finds nothing to do"


def test_the_periods_are_settings_and_the_beat_applies_them_nightly(settings):
    assert settings.CELERY_BEAT_SCHEDULE["apply-retention"]["task"] == "core.tasks.apply_retention"
    from core.tasks import apply_retention

    assert set(apply_retention()) >= {"core.outbox", "participation.event_registrations"}


def _privacy_text(client) -> str:
    return re.sub(r"\s+", " ", strip_tags(client.get(reverse("core:privacy")).content.decode()))


def test_the_privacy_page_states_the_periods_the_portal_applies(client, settings, ambito):
    settings.RETENTION_MINUTES_ONLINE_YEARS = 7
    settings.RETENTION_EVENT_REGISTRATIONS_MONTHS = 18
    settings.RETENTION_SENT_EMAILS_DAYS = 45
    settings.RETENTION_FAILED_EMAILS_DAYS = 200
    settings.RETENTION_NOTIFICATIONS_DAYS = 120
    settings.RETENTION_AUDIT_YEARS = 12
    settings.RETENTION_IMPORT_UPLOADS_DAYS = 3
    settings.SESSION_COOKIE_AGE = 6 * 3600
    settings.EVENT_REGISTRATION_HOLD_MINUTES = 25
    text = _privacy_text(client)
    for stated in (
        "restano consultabili da tutti per 7 anni",
        "18 mesi dopo la conclusione dell'evento",
        "45 giorni dopo l'invio",
        "non recapitate dopo 200 giorni",
        "Le notifiche sono cancellate 120 giorni",
        "conservato per 12 anni",
        "cancellati appena importati, e comunque 3 giorni dopo il caricamento",
        "al massimo 6 ore",
        "non è confermato entro 25 minuti è cancellata",
    ):
        assert stated in text, stated


def test_files_uploaded_for_an_import_go_after_their_period(staff_user, settings):
    """A dry run's file that was never confirmed (personal data of entities) is deleted after
    RETENTION_IMPORT_UPLOADS_DAYS; a newer one stays."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.files.base import ContentFile

    from core.models import FileJob

    settings.RETENTION_IMPORT_UPLOADS_DAYS = 7

    def job(days_ago: int) -> FileJob:
        made = FileJob(
            kind="entity_import",
            content_type=ContentType.objects.get_for_model(staff_user),
            object_id=str(staff_user.pk),
            created_at=NOW - timedelta(days=days_ago),
        )
        made.upload.save("enti.csv", ContentFile(b"denominazione\nSociet\xc3\xa0\n"), save=False)
        made.save()
        return made

    old, new = job(8), job(6)
    old_name = old.upload.name
    assert retention.job_uploads_purge(NOW) == 1
    old.refresh_from_db()
    new.refresh_from_db()
    assert not old.upload and not old.upload.storage.exists(old_name)
    assert new.upload.storage.exists(new.upload.name)
    assert retention.job_uploads_purge(NOW) == 0
