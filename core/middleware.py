"""Middleware of core."""

from __future__ import annotations

import re
import time

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.http import HttpResponse
from django.middleware.csrf import get_token

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


# A form's CSRF token in a kept page, and what stands for it there (see _keepable).
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')
_CSRF_SLOT = "\x00csrf-token\x00"


class AnonymousPageCacheMiddleware:
    """Public pages for visitors without a session, kept for PAGE_CACHE_SECONDS (0: off).

    Citizens and the press read the same public pages (home, directory, tables, procedures,
    events, plans); rendering them costs 10-30 ms of template work each. A page is kept, per
    process and per full URL, only when the request is a GET with no session cookie and no htmx
    header and the response is a 200 that set no cookie (so no message, nothing personal).
    A page with a form that posts (an event's registration) is kept without its CSRF token:
    each visitor gets the page with a token of their own (and the CSRF cookie that goes with
    it). Logged-in users, and anyone who has a session, always get a fresh page; anonymous
    visitors may see a change up to PAGE_CACHE_SECONDS late. The cache is a bounded in-process
    LRU, never the shared Redis (whose policy is noeviction)."""

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
            or request.path.startswith(settings.PAGE_CACHE_EXCLUDED_PREFIXES)
        ):
            return None
        return f"{request.get_host()}{request.get_full_path()}"

    def __call__(self, request):
        key = self._key(request)
        if key is not None and (kept := self.cache.get(key)) is not None:
            return self._serve(request, kept)
        response = self.get_response(request)
        if key is not None and (kept := self._keepable(request, response)) is not None:
            self.cache.set(key, kept)
        return response

    @staticmethod
    def _keepable(request, response) -> HttpResponse | None:
        """The response to keep (a copy without the visitor's CSRF token), or None."""
        if (
            response.status_code != 200
            or response.streaming
            or response.cookies
            or request.user.is_authenticated
        ):
            return None
        if not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            return response
        # The page used the visitor's CSRF token: keep it only if it sits in form fields (64
        # random characters: replacing the string replaces nothing but the token).
        content = response.content.decode(response.charset)
        tokens = set(_CSRF_INPUT.findall(content))
        if not tokens:
            return None
        for token in tokens:
            content = content.replace(token, _CSRF_SLOT)
        return _copy(response, content)

    @staticmethod
    def _serve(request, kept: HttpResponse) -> HttpResponse:
        if _CSRF_SLOT.encode() not in kept.content:
            return kept
        # A token of this visitor's own; CsrfViewMiddleware then sets (or renews) their cookie.
        return _copy(
            kept, kept.content.decode(kept.charset).replace(_CSRF_SLOT, get_token(request))
        )


def _copy(response: HttpResponse, content: str) -> HttpResponse:
    copy = HttpResponse(content, status=response.status_code)
    for header, value in response.items():
        if header.lower() != "content-length":
            copy[header] = value
    return copy
