"""Story 4 for what lives in participation: every answer or comment reaches the author in the
portal and by e-mail as they chose, and the daily digest sends each item once."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from core.models import Notification, User
from core.tasks import send_notification_digests
from participation.services import proposals as services

pytestmark = pytest.mark.django_db


def test_daily_digest_beat_entry_exists():
    entry = settings.CELERY_BEAT_SCHEDULE["notification-digests"]
    assert entry["task"] == "core.tasks.send_notification_digests"


def test_digest_sends_each_item_once(
    proposal, member, other_member, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    member.notification_email = User.EmailFrequency.DAILY
    member.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_comment(proposal=proposal, author=other_member, text="Bella idea")
        services.proposal_answer(
            proposal=proposal, by=staff_user, status="under_study", answer="La valutiamo."
        )
    assert mailoutbox == []  # nothing immediately
    assert Notification.objects.filter(user=member, emailed_at__isnull=True).count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        assert send_notification_digests() == 1
    [digest] = mailoutbox
    assert digest.to == [member.email]
    assert "Bella idea" in digest.body or "commento" in digest.body
    assert "Risposta alla tua proposta" in digest.body

    with django_capture_on_commit_callbacks(execute=True):
        assert send_notification_digests() == 0
    assert len(mailoutbox) == 1
    assert not Notification.objects.filter(user=member, emailed_at__isnull=True).exists()


def test_no_email_preference_keeps_in_app_only(
    proposal, member, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    member.notification_email = User.EmailFrequency.NONE
    member.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_answer(proposal=proposal, by=staff_user, status="accepted", answer="Sì.")
        send_notification_digests()
    assert mailoutbox == []
    assert (
        Notification.objects.filter(user=member, kind="participation.proposal_answered").count()
        == 1
    )


def test_user_sees_the_notification_in_the_portal(client_for, proposal, member, staff_user):
    services.proposal_answer(proposal=proposal, by=staff_user, status="accepted", answer="Sì.")
    body = client_for(member).get(reverse("core:notifications")).content.decode()
    assert proposal.title in body
