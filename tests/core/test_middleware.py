"""core.middleware.UserSessionActivityMiddleware: a session's activity is recorded, not on every
request but at most once per USERSESSIONS_ACTIVITY_INTERVAL."""

import time
from types import SimpleNamespace

from allauth.usersessions.models import UserSession
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import core.middleware


def _touches_usersessions(client, url_name: str = "core:my_area") -> bool:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(url_name)).status_code == 200
    return any("usersessions_usersession" in q["sql"] for q in queries)


def test_activity_recorded_once_per_interval(client, no_role_user, settings, monkeypatch):
    settings.USERSESSIONS_ACTIVITY_INTERVAL = 300
    client.force_login(no_role_user)

    assert _touches_usersessions(client)
    session = UserSession.objects.get(user=no_role_user)
    assert session.session_key == client.session.session_key
    assert not _touches_usersessions(client)  # within the interval: no query, no update

    later = time.time() + 301
    monkeypatch.setattr(core.middleware, "time", SimpleNamespace(time=lambda: later))
    assert _touches_usersessions(client)
    session.refresh_from_db()
    assert session.last_seen_at is not None


def test_anonymous_requests_record_nothing(client, db):
    assert not _touches_usersessions(client, "core:home")
