import pytest
from django.core import mail as django_mail

from core import notifications
from core.models import Notification, User
from core.tasks import send_notification_digests
from tests.factories.core import UserFactory


@pytest.mark.django_db
def test_notify_emails_immediately_those_who_want_it(django_capture_on_commit_callbacks):
    now_user = UserFactory(notification_email=User.EmailFrequency.IMMEDIATE)
    daily_user = UserFactory(notification_email=User.EmailFrequency.DAILY)
    silent_user = UserFactory(notification_email=User.EmailFrequency.NONE)
    with django_capture_on_commit_callbacks(execute=True):
        notes = notifications.notify(
            users=[now_user, daily_user, silent_user, now_user],
            kind="test",
            title="Nuovo avviso",
            url="/x/",
        )
    assert len(notes) == 3
    assert [m.to for m in django_mail.outbox] == [[now_user.email]]
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 1


@pytest.mark.django_db
def test_daily_digest_sends_each_item_once(django_capture_on_commit_callbacks):
    user = UserFactory(notification_email=User.EmailFrequency.DAILY)
    notifications.notify(users=[user], kind="a", title="Uno")
    notifications.notify(users=[user], kind="b", title="Due")
    with django_capture_on_commit_callbacks(execute=True):
        assert send_notification_digests.apply().get() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert send_notification_digests.apply().get() == 0
    assert len(django_mail.outbox) == 1
    body = django_mail.outbox[0].body
    assert "Uno" in body and "Due" in body


@pytest.mark.django_db
def test_mark_read_only_touches_own(client_for):
    me, other = UserFactory(), UserFactory()
    mine = notifications.notify(users=[me], kind="k", title="t")[0]
    theirs = notifications.notify(users=[other], kind="k", title="t")[0]
    response = client_for(me).post("/notifiche/lette/", {"id": [mine.pk, theirs.pk]})
    assert response.status_code == 302
    mine.refresh_from_db(), theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None


@pytest.mark.django_db
def test_notification_page_and_preferences(client_for):
    user = UserFactory()
    notifications.notify(users=[user], kind="k", title="Verbale pubblicato")
    c = client_for(user)
    assert "Verbale pubblicato" in c.get("/notifiche/").content.decode()
    c.post("/notifiche/", {"notification_email": "daily"})
    user.refresh_from_db()
    assert user.notification_email == "daily"
    response = c.post("/notifiche/", {"notification_email": "weekly"})
    assert response.status_code == 200 and "weekly" in response.content.decode()
