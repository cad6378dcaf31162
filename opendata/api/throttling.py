"""Rate limits of the API for clients without a session, counted in the shared cache as the
portal's own forms count theirs (core.ratelimit: Redis in production, per client address behind
ALLAUTH_TRUSTED_PROXY_COUNT proxies). Logged-in users read what the pages show them and are
not limited here."""

from __future__ import annotations

from rest_framework.throttling import BaseThrottle

from core import ratelimit

ACTION = "api"


def retry_after() -> int:
    """Seconds a client refused should wait: the longest window of the rates (conservative)."""
    return ratelimit.retry_after(ACTION)


def allowed(request) -> bool:
    """Count one request of an anonymous client (Django request); False once over the limit."""
    if getattr(request.user, "is_authenticated", False):
        return True
    return ratelimit.allow(request, action=ACTION)


class AnonymousRateLimit(BaseThrottle):
    def allow_request(self, request, view) -> bool:
        return allowed(request._request)

    def wait(self) -> int:
        return retry_after()
