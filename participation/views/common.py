from __future__ import annotations

from django.http import HttpRequest


def querystring(request: HttpRequest) -> str:
    """The current GET without "page", ready to prefix "page=N" (see components/pagination.html)."""
    query = request.GET.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    return f"{encoded}&" if encoded else ""
