"""Conditional GET for the API and the open-data files: ETag and Last-Modified, and 304 Not
Modified when the client's copy is current.

The ETag is the SHA-256 of the body, so it changes with anything the response shows, whatever
changed it (a row, a related row, the visibility of a row, the clock: a news item whose
publication time came). Last-Modified is when this body was first served at this address to
this audience (anonymous, or the user): the pair (ETag, time) is kept in the shared cache for a
day; when the ETag changes the time becomes now (at least a second after the previous one). A
lost entry only makes the time later, so a
client asking If-Modified-Since never gets a 304 for a body that changed. If-None-Match, when
sent, decides alone (RFC 9110 § 13.2.2)."""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

KEPT_SECONDS = 24 * 60 * 60


def _audience(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    return f"user:{user.pk}" if getattr(user, "is_authenticated", False) else "public"


def last_modified(request: HttpRequest, etag: str) -> int:
    """Seconds since the epoch when `etag` was first served at this URL to this audience."""
    key = (
        "opendata:lm:"
        + hashlib.sha256(f"{_audience(request)} {request.get_full_path()}".encode()).hexdigest()
    )
    kept = cache.get(key)
    if kept and kept[0] == etag:
        return int(kept[1])
    now = int(time.time())
    if kept:  # a new body: always later than the one it replaces (dates have whole seconds)
        now = max(now, int(kept[1]) + 1)
    cache.set(key, (etag, now), KEPT_SECONDS)
    return now


def validators_for(request: HttpRequest, digest: str) -> tuple[str, int]:
    etag = f'"{digest}"'
    return etag, last_modified(request, etag)


def conditional(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """For a rendered 200 answer to a GET: set ETag, Last-Modified and Cache-Control, and answer
    304 when the request's validators match."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    etag, modified = validators_for(request, hashlib.sha256(response.content).hexdigest())
    return with_validators(request, response, etag, modified)


def with_validators(
    request: HttpRequest, response: HttpResponse, etag: str, modified: int
) -> HttpResponse:
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    # Revalidate every time (cheap with the validators); a user's own view is theirs alone.
    if _audience(request) == "public":
        patch_cache_control(response, public=True, no_cache=True)
    else:
        patch_cache_control(response, private=True, no_cache=True)
    conditional = get_conditional_response(
        request, etag=etag, last_modified=modified, response=response
    )
    return conditional or response  # 304 or 412 when the validators say so


class ConditionalMixin:
    """For DRF views: the validators are computed on the rendered body (a post-render callback
    of the Response), so every endpoint gets them the same way."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        django_request = request._request
        if hasattr(response, "add_post_render_callback"):
            response.add_post_render_callback(lambda r: conditional(django_request, r))
        return response
