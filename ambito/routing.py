"""Where the visitor is: one portal for a region, each ambito under its own URL prefix.

`/<code>/...` serves every page of the portal inside ambito `<code>` (`/ats-1-pesaro/tavoli/`).
`AmbitoPrefixMiddleware` recognises a leading segment that is an ambito's code, takes it out of
`path_info` and adds it to the script prefix, as a WSGI server does for an application mounted
under a sub-path (and as `i18n_patterns` does for a language): every URLconf stays as it is, every
`reverse()` and `{% url %}` of the request keeps the prefix, so the visitor stays in the ambito
from page to page. `request.path` keeps the prefix too (the page cache, `?next=` links).

Without a prefix, a portal with one ambito is that ambito's, as it always was; a portal with
several is the region's (`current_ambito()` is None): the home lists the ambiti. Object pages
take their ambito from the object, whatever the prefix: the prefix chooses the header, the home,
the lists and the defaults of forms, never what a person may see or do.

The codes live in the cache (one lookup, and only for a first segment that no URL pattern
starts with); the code of an ambito may not be such a segment (`validate_code`)."""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponsePermanentRedirect
from django.urls import URLResolver, get_resolver, get_script_prefix, set_script_prefix
from django.utils.translation import gettext as _

CACHE_KEY = "ambito:codes:v1"
CACHE_SECONDS = 60 * 60


@dataclass(frozen=True)
class Place:
    """The ambito of the request's URL prefix (`code`, `pk`), or none; `base` is the script
    prefix without it (where the region's pages are)."""

    base: str = "/"
    code: str | None = None
    pk: int | None = None


_place: ContextVar[Place] = ContextVar("ambito_place", default=Place())  # noqa: B039 - frozen
# The codes as read by this request (a request asks several times: one cache lookup).
_in_request: ContextVar[bool] = ContextVar("ambito_in_request", default=False)
_codes_seen: ContextVar[dict[str, int] | None] = ContextVar("ambito_codes", default=None)


def codes() -> dict[str, int]:
    """{code: pk} of every ambito, from the cache (rebuilt after any change of the ambiti)."""
    found = _codes_seen.get()
    if found is None:
        found = cache.get(CACHE_KEY)
        if found is None:
            from ambito.models import Ambito

            found = dict(Ambito.objects.order_by().values_list("code", "pk"))
            cache.set(CACHE_KEY, found, CACHE_SECONDS)
        if _in_request.get():
            _codes_seen.set(found)
    return found


def forget_codes() -> None:
    cache.delete(CACHE_KEY)
    _codes_seen.set(None)


@lru_cache(maxsize=4)
def _reserved(urlconf: str) -> frozenset[str]:
    """First path segments some URL pattern starts with (`tavoli`, `account`, `static`...), and
    those of ambito's own (`/ambiti/<code>/` must not be `/ambiti/mappafondo/`)."""
    from ambito import urls as ambito_urls

    found = {s.strip("/") for s in (settings.STATIC_URL, settings.MEDIA_URL) if s}

    def walk(patterns) -> None:
        for p in patterns:
            head = str(p.pattern).lstrip("^").split("/", 1)[0].rstrip("$")
            if not head and isinstance(p, URLResolver):
                walk(p.url_patterns)  # an include() at the root: its own first segments
            elif re.fullmatch(r"[\w.-]+", head):  # a literal segment, not <converter:name>
                found.add(head)

    walk(get_resolver(urlconf).url_patterns)
    walk(ambito_urls.urlpatterns)
    return frozenset(s for s in found if s)


def reserved_segments() -> frozenset[str]:
    return _reserved(settings.ROOT_URLCONF)


def validate_code(code: str) -> None:
    """An ambito's code may not be the first segment of the portal's own addresses."""
    if code in reserved_segments():
        raise ValidationError(
            _("«%(code)s» è già un indirizzo del portale: scegli un altro codice."),
            code="reserved",
            params={"code": code},
        )


def place() -> Place:
    return _place.get()


def current_ambito_id(request=None) -> int | None:
    """The pk of the ambito the visitor is in: the URL prefix's, else the only ambito of a portal
    that has one; None on a regional portal outside any ambito (and on a portal without ambiti)."""
    here = getattr(request, "ambito_place", None) or _place.get()
    if here.pk is not None:
        return here.pk
    if request is not None and hasattr(request, "_single_ambito_id"):
        return request._single_ambito_id
    known = codes()
    single = next(iter(known.values())) if len(known) == 1 else None
    if request is not None:
        request._single_ambito_id = single
    return single


def scoped(queryset, field: str = "ambito"):
    """`queryset` limited to the ambito of the URL prefix (a list inside an ambito); unchanged on
    pages without a prefix."""
    pk = _place.get().pk
    return queryset if pk is None else queryset.filter(**{f"{field}_id": pk})


def is_regional() -> bool:
    """The portal holds more than one ambito."""
    return len(codes()) > 1


def within(code: str, url: str) -> str:
    """`url` (reversed in this request) moved into ambito `code`: its prefix replaced."""
    return f"{_place.get().base}{code}/{_unprefixed_path(url)}"


def outside(url: str) -> str:
    """`url` (reversed in this request) on the region's pages: without the ambito prefix."""
    return f"{_place.get().base}{_unprefixed_path(url)}"


def _unprefixed_path(url: str) -> str:
    prefix = get_script_prefix()
    return url[len(prefix) :] if url.startswith(prefix) else url.lstrip("/")


class AmbitoPrefixMiddleware:
    """Put it first: later middleware and the URL resolver see the path without the prefix."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        base = get_script_prefix()
        tokens = (_in_request.set(True), _codes_seen.set(None))
        try:
            here = Place(base=base)
            head, slash, rest = request.path_info.lstrip("/").partition("/")
            if head and head not in reserved_segments() and (pk := codes().get(head)) is not None:
                if not slash:  # /ats-1-pesaro -> /ats-1-pesaro/
                    query = request.META.get("QUERY_STRING", "")
                    return HttpResponsePermanentRedirect(
                        f"{request.path}/" + (f"?{query}" if query else "")
                    )
                here = Place(base=base, code=head, pk=pk)
                request.path_info = f"/{rest}"
                set_script_prefix(f"{base}{head}/")
            request.ambito_place = here
            place_token = _place.set(here)
            try:
                return self.get_response(request)
            finally:
                _place.reset(place_token)
                set_script_prefix(base)
        finally:
            _codes_seen.reset(tokens[1])
            _in_request.reset(tokens[0])
