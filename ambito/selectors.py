from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from ambito.models import Ambito, Comune


def ambiti_list() -> QuerySet[Ambito]:
    return Ambito.objects.select_related("lead_comune").order_by("name")


def default_ambito(request: HttpRequest | None = None) -> Ambito | None:
    """The ambito the portal presents when a page is not about a specific one (the first one:
    most installations serve a single ambito). Given the request, it is read once per request
    (the page header and each home block ask for it)."""
    if request is None:
        return ambiti_list().first()
    if not hasattr(request, "_default_ambito"):
        request._default_ambito = ambiti_list().first()
    return request._default_ambito


def comuni_of(ambito: Ambito) -> QuerySet[Comune]:
    return ambito.comuni.order_by("name")


def comuni_search(term: str, limit: int = 20) -> QuerySet[Comune]:
    qs = Comune.objects.order_by("name")
    if term:
        qs = qs.filter(name__istartswith=term.strip())
    return qs[:limit]
