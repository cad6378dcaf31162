from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from ambito import selectors


def ambito_list(request: HttpRequest) -> HttpResponse:
    return render(request, "ambito/ambito_list.html", {"ambiti": selectors.ambiti_list()})


def ambito_detail(request: HttpRequest, code: str) -> HttpResponse:
    ambito = get_object_or_404(selectors.ambiti_list(), code=code)
    return render(
        request,
        "ambito/ambito_detail.html",
        {
            "ambito": ambito,
            "section": {"ambito": ambito, "comuni": list(selectors.comuni_of(ambito))},
        },
    )


def comune_options(request: HttpRequest) -> HttpResponse:
    """<option>s of comuni whose name starts with ?q=, for the comune pickers (htmx)."""
    # Bounded and without NUL: a hostile query must not reach the database as a huge pattern.
    term = request.GET.get("q", "").replace("\x00", "")[:100]
    comuni = selectors.comuni_search(term)
    return render(request, "ambito/comune_options.html", {"comuni": comuni})
