"""What entities/ shows on the home page and in "my area" (core.registry slots)."""

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


def _personal_data(user):
    return [
        {
            "entity": m.entity.name,
            "role": m.role,
            "since": m.created_at.isoformat(),
            "ended": m.ended_at.isoformat() if m.ended_at else None,
        }
        for m in user.entity_memberships.select_related("entity")
    ]


def _invitations(user):
    from entities.models import EntityInvitation

    return [
        {
            "entity": i.entity.name,
            "role": i.role,
            "invited_at": i.created_at.isoformat(),
            "accepted_at": i.accepted_at.isoformat() if i.accepted_at else None,
        }
        for i in EntityInvitation.objects.filter(email__iexact=user.email).select_related("entity")
    ]


def _erase(user):
    """Account deletion: the person stops acting for every entity (memberships end, kept as the
    entity's history; pending claims are withdrawn, decided ones kept); invitations still open to the address go, the others keep the
    pseudonymous address (an accepted one records how the person joined)."""
    from django.utils import timezone

    from entities.models import EntityClaim, EntityInvitation, EntityMembership
    from entities.services.claims import claim_withdraw

    # a claim on a disputed tax code can no longer be decided once its author is gone
    for claim in EntityClaim.objects.filter(claimant=user, status=EntityClaim.Status.PENDING):
        claim_withdraw(user=user, claim=claim)
    memberships = list(EntityMembership.objects.filter(user=user))
    EntityMembership.objects.current().filter(user=user).update(ended_at=timezone.now())
    to_them = EntityInvitation.objects.filter(email__iexact=user.email)
    to_them.filter(accepted_at__isnull=True, revoked_at__isnull=True).delete()
    to_them.update(email=user.pseudonymous_email)
    return memberships


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


registry.search_provider(
    SearchProvider(
        kind="enti",
        label=gettext_lazy("Enti"),
        order=10,
        rows=_search_rows,
        hit=_search_hit,
        list_url=lambda term: (
            f"{reverse('entities:directory')}?{urlencode({'q': term, 'tipo': 'tutti'})}"
        ),
    )
)
registry.home_section("entities", 20, _home)
registry.add("region_directory", "entities", 10, _region_directory)
registry.my_area_section("entities", 10, _my_entities)
registry.my_area_section("entities_legal_representative", 8, _legal_representative)
registry.my_area_section("entities_verification", 5, _verification)


def _personal_claims(user):
    return [
        {
            "entity_tax_code": c.entity.tax_code,
            "role": c.role,
            "statement": c.statement,
            "document_sha256": c.document_sha256,
            "status": c.status,
            "submitted": c.created_at.isoformat(),
            "decided": c.decided_at.isoformat() if c.decided_at else None,
            "decision_reason": c.decision_reason,
        }
        for c in selectors.claims_of(user)
    ]


registry.personal_data_exporter("entities", _personal_data)
registry.personal_data_exporter("entity_claims", _personal_claims)
registry.personal_data_exporter("entity_invitations", _invitations)
registry.personal_data_eraser("entities", _erase)
