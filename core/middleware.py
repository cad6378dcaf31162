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


class AnonymousPageCacheMiddleware:
    """Public pages for visitors without a session, kept for PAGE_CACHE_SECONDS (0: off).

    Citizens and the press read the same public pages (home, directory, tables, procedures,
    plans); rendering them costs 10-30 ms of template work each. A page is kept, per process and
    per full URL, only when the request is a GET with no session cookie and no htmx header and
    the response is a 200 that set no cookie and used no CSRF token (so no form that posts, no
    message, nothing personal). Logged-in users, and anyone who has a session, always get a
    fresh page; anonymous visitors may see a change up to PAGE_CACHE_SECONDS late. The cache is
    a bounded in-process LRU, never the shared Redis (whose policy is noeviction)."""

    def __init__(self, get_response) -> None:
        from django.core.cache.backends.locmem import LocMemCache

        self.get_response = get_response
        self.seconds = settings.PAGE_CACHE_SECONDS
        self.cache = LocMemCache(
            "portal-anonymous-pages", {"TIMEOUT": self.seconds, "OPTIONS": {"MAX_ENTRIES": 500}}
        )

    def _key(self, request) -> str | None:
        if (
            self.seconds <= 0
            or request.method != "GET"
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or "HTTP_HX_REQUEST" in request.META
            or request.path in settings.PAGE_CACHE_EXCLUDED_PATHS
        ):
            return None
        return f"{request.get_host()}{request.get_full_path()}"

    def __call__(self, request):
        key = self._key(request)
        if key is not None and (cached := self.cache.get(key)) is not None:
            return cached
        response = self.get_response(request)
        if (
            key is not None
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not request.user.is_authenticated
        ):
            self.cache.set(key, response)
        return response
