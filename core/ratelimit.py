"""Rate limits for the portal's own public forms, counted like allauth counts logins: in the
shared cache (Redis in production, so every web process sees the same counts), in a sliding
window, per client address (allauth's, behind ALLAUTH_TRUSTED_PROXY_COUNT proxies) or per key
(stored hashed). The rates are settings.PORTAL_RATE_LIMITS, in allauth's syntax:
"20/h/ip", "3/h/key" (an empty or missing rate is no limit)."""

from __future__ import annotations

from allauth.core.internal import ratelimit
from allauth.core.internal.ratelimit import parse_rates
from django.conf import settings
from django.http import HttpRequest


def allow(request: HttpRequest, *, action: str, key: str | None = None) -> bool:
    """Count one request for `action` (a GET too: allauth leaves GETs out unless told); False
    when one of its rates is exhausted."""
    return bool(
        ratelimit.consume(
            request,
            app="portal",
            action=action,
            config=settings.PORTAL_RATE_LIMITS,
            key=key,
            limit_get=True,
        )
    )


def retry_after(action: str) -> int:
    """Seconds a client refused should wait: the longest window of `action`'s rates
    (conservative; 60 without a rate)."""
    rates = parse_rates(settings.PORTAL_RATE_LIMITS.get(action))
    return int(max((r.duration for r in rates), default=60))
