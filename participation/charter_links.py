"""Links to each ambito's regolamento and principles page (participation:ambito_charter) on the
pages of the layers below, through core.registry: the ambito's home, each ambito's card and each
procedure's page."""

from __future__ import annotations

from ambito.selectors import current_ambito
from core import registry

TEMPLATE = "participation/sections/charter_link.html"


def _home(request):
    ambito = current_ambito(request)
    return None if ambito is None else (TEMPLATE, {"ambito": ambito})


def _ambito_cards(request, ambiti):
    return {a.pk: (TEMPLATE, {"ambito": a, "compact": True}) for a in ambiti}


def _procedure_page(request, procedure):
    return TEMPLATE, {"ambito": procedure.ambito}


registry.home_section("participation_charter", 90, _home)
registry.add("ambito_card", "participation_charter", 90, _ambito_cards)
registry.add("procedure_page", "participation_charter", 90, _procedure_page)
