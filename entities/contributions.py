"""What entities/ contributes through core.registry: blocks on the home page, the regional
directory and "my area"; the entities of the global search; personal data export and erasure
(entities.services.personal_data)."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy

from ambito import routing
from ambito.permissions import is_ufficio_di_piano, staff_ambito_ids
from ambito.selectors import current_ambito
from core import registry
from core.search import Hit, SearchProvider, excerpt
from entities import selectors
from entities.models import ETS_LEGAL_FORMS, Entity
from entities.permissions import remember_memberships
from entities.services import personal_data


def _home(request):
    ambito = current_ambito(request)
    if ambito is None:  # a regional portal's home: see the regional directory
        return None
    labels = dict(Entity.LegalForm.choices)
    bars = [
        {"label": labels.get(form, form), "n": n}
        for form, n in selectors.verified_by_legal_form(ambito.pk)
    ]
    total = sum(b["n"] for b in bars)
    top = max((b["n"] for b in bars), default=0)
    for i, bar in enumerate(bars):
        bar["y"] = i * 28
        bar["width"] = round(300 * bar["n"] / top) if top else 0
    return "entities/sections/home_entities.html", {
        "count": total,
        "participants": selectors.verified_participants_count(ambito.pk),
        "bars": bars,
        "chart_height": len(bars) * 28,
    }


def _region_directory(request, ambiti):
    """Verified bodies per ambito and legal form (the regional view), from the cached counts."""
    labels = dict(Entity.LegalForm.choices)
    ets_forms = [f for f, _label in Entity.LegalForm.choices if f in ETS_LEGAL_FORMS]
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for ambito_id, form, n in selectors.verified_counts():
        counts[ambito_id][form] += n
    used = [f for f in ets_forms if any(counts[a.pk][f] for a in ambiti)]
    rows = [
        {
            "ambito": a,
            "cells": [counts[a.pk][f] for f in used],
            "ets": sum(counts[a.pk][f] for f in ets_forms),
            "participants": sum(n for f, n in counts[a.pk].items() if f not in ETS_LEGAL_FORMS),
        }
        for a in ambiti
    ]
    return "entities/sections/region_directory.html", {
        "forms": [labels[f] for f in used],
        "rows": rows,
        "totals": [sum(r["cells"][i] for r in rows) for i in range(len(used))],
        "ets": sum(r["ets"] for r in rows),
        "participants": sum(r["participants"] for r in rows),
    }


def _my_entities(request):
    if not request.user.is_authenticated:
        return None
    memberships = list(selectors.my_memberships(request.user))
    remember_memberships(request.user, memberships)
    if not memberships and staff_ambito_ids(request.user):
        # Ufficio di Piano and comune staff work for a public body: inviting them to register
        # a Third Sector entity only confuses them.
        return None
    return "entities/sections/my_entities.html", {"memberships": memberships}


def _legal_representative(request):
    """Entities whose record names the user as legal representative (fiscal code proven by
    SPID/CIE): the button to administer them, or the way to prove it in this session."""
    from core.identity import configured_schemes, proven_fiscal_code

    if not request.user.is_authenticated or not request.user.fiscal_code:
        return None
    entities = list(selectors.represented_entities(request.user))
    if not entities:
        return None
    return "entities/sections/legal_representative.html", {
        "entities": entities,
        "proven": proven_fiscal_code(request) == request.user.fiscal_code,
        "spid_cie": configured_schemes(),
    }


def _verification(request):
    if not request.user.is_authenticated or not is_ufficio_di_piano(request.user):
        return None
    counts = selectors.queue_counts(request.user)
    return "entities/sections/verification.html", {
        "pending": counts[Entity.Status.PENDING],
        "claims": selectors.pending_claims(request.user).count(),
    }


def _search_rows(user, term: str):
    """Verified bodies, as the directory lists them (every kind, "tipo=tutti"), best first."""
    qs = selectors.search(
        routing.scoped(selectors.directory_entities().prefetch_related(None)), term
    )
    return (
        qs.order_by("-rank", "name", "pk")
        if "rank" in qs.query.annotations
        else qs.order_by("name", "pk")
    )


def _search_hit(entity: Entity, term: str) -> Hit:
    """Public fields only: name, legal form, seat, description."""
    meta = entity.get_legal_form_display()
    if entity.seat_comune_id:
        meta = f"{meta} · {entity.seat_comune.name}"
    return Hit(entity.name, entity.get_absolute_url(), excerpt(entity.description, term), meta)


def register() -> None:
    """Called by EntitiesConfig.ready()."""
    provider = SearchProvider(
        kind="enti",
        label=gettext_lazy("Enti"),
        order=10,
        rows=_search_rows,
        hit=_search_hit,
        list_url=lambda term: (
            f"{reverse('entities:directory')}?{urlencode({'q': term, 'tipo': 'tutti'})}"
        ),
    )
    registry.add("search", provider.kind, provider.order, provider)
    registry.add("home", "entities", 20, _home)
    registry.add("region_directory", "entities", 10, _region_directory)
    registry.add("my_area", "entities", 10, _my_entities)
    registry.add("my_area", "entities_legal_representative", 8, _legal_representative)
    registry.add("my_area", "entities_verification", 5, _verification)
    registry.add("personal_data", "entities", 0, personal_data.export_memberships)
    registry.add("personal_data", "entity_claims", 0, personal_data.export_claims)
    registry.add("personal_data", "entity_invitations", 0, personal_data.export_invitations)
    registry.add("erase_personal_data", "entities", 0, personal_data.erase_personal_data)
