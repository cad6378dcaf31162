"""Middleware of core."""

from __future__ import annotations

import time

from allauth.usersessions.models import UserSession
from django.conf import settings

SEEN_KEY = "_usersession_seen_at"


class UserSessionActivityMiddleware:
    """allauth's UserSessionsMiddleware, throttled. allauth records each session at login; its
    middleware then refreshes the session's last activity, IP and browser on EVERY request (six
    queries and an UPDATE of the session's row, which also serialises a user's parallel
    requests). This one refreshes them at most once every USERSESSIONS_ACTIVITY_INTERVAL
    seconds, so "Sessioni attive" shows the last activity to within that interval."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        user, session = getattr(request, "user", None), getattr(request, "session", None)
        if user is not None and user.is_authenticated and session and session.session_key:
            now = int(time.time())
            if now - session.get(SEEN_KEY, 0) >= settings.USERSESSIONS_ACTIVITY_INTERVAL:
                UserSession.objects.create_from_request(request)
                session[SEEN_KEY] = now
        return self.get_response(request)
