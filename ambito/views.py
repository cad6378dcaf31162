from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ambito import routing, selectors
from ambito.contributions import region_context
from ambito.permissions import is_staff_of
from core import registry


def ambito_list(request: HttpRequest) -> HttpResponse:
    """The region's home: every ambito with its open procedures, events and plan."""
    return render(
        request,
        "ambito/ambito_list.html",
        {"section": region_context(request), "crumbs": [(_("Ambiti territoriali sociali"), "")]},
    )


def _region_page(request: HttpRequest, slot: str, title: str) -> HttpResponse:
    ambiti = list(selectors.ambiti_list())
    return render(
        request,
        "ambito/region_page.html",
        {
            "title": title,
            "blocks": registry.render(slot, request, ambiti),
            "crumbs": [
                (_("Ambiti territoriali sociali"), routing.outside(reverse("ambito:list"))),
                (title, ""),
            ],
        },
    )


def region_funds(request: HttpRequest) -> HttpResponse:
    """The Mappafondo of every ambito together: funds by source and year, allocated and
    available (the blocks come from plans/, through the "region_funds" slot)."""
    return _region_page(request, "region_funds", _("Mappafondo regionale"))


def region_directory(request: HttpRequest) -> HttpResponse:
    """The Third Sector bodies of every ambito (entities/, through "region_directory")."""
    return _region_page(request, "region_directory", _("Enti del Terzo settore per ambito"))


def ambito_detail(request: HttpRequest, code: str) -> HttpResponse:
    ambito = get_object_or_404(selectors.ambiti_list(), code=code)
    return render(
        request,
        "ambito/ambito_detail.html",
        {
            "ambito": ambito,
            "section": {"ambito": ambito, "comuni": list(selectors.comuni_of(ambito))},
            "can_see_roles": is_staff_of(request.user, ambito),
        },
    )


def comune_options(request: HttpRequest) -> HttpResponse:
    """<option>s of comuni whose name starts with ?q=, for the comune pickers (htmx)."""
    # Bounded and without NUL: a hostile query must not reach the database as a huge pattern.
    term = request.GET.get("q", "").replace("\x00", "")[:100]
    comuni = selectors.comuni_search(term)
    return render(request, "ambito/comune_options.html", {"comuni": comuni})


def comune_checkboxes(request: HttpRequest) -> HttpResponse:
    """Checkboxes of comuni whose name (or ISTAT code) starts with ?q=, for the comune pickers
    (ambito.widgets.ComuneCheckboxes): `name` is the field's, `codici=1` shows the codes."""
    term = (request.GET.get("q") or "").replace("\x00", "").strip()[:100]
    name = request.GET.get("name", "")
    comuni = selectors.comuni_search(term, limit=15) if len(term) >= 2 else []
    return render(
        request,
        "ambito/widgets/comune_checkbox_items.html",
        {
            "comuni": comuni,
            "name": name if re.fullmatch(r"[a-z_]{1,40}", name) else "comuni",
            "show_codes": request.GET.get("codici") == "1",
        },
    )
