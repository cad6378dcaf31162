"""The global search as every persona of the permission matrix: each result it shows opens
(200) for the same persona, so the search never names a row its page would refuse; and the
rows the matrix declares hidden from a persona are not among its results."""

from __future__ import annotations

import pytest

from tests.security.test_permission_matrix import clients

pytestmark = pytest.mark.django_db

# Words of the world's rows (tests/security/world.py): tables, meetings, procedures and avvisi,
# plans, events, news, proposals, entities.
TERMS = ["tavolo", "seduta", "avviso", "servizi", "piano", "evento", "notizia", "proposta", "ente"]


def test_every_result_opens_for_the_persona_who_sees_it(world):
    for persona, client in clients(world).items():
        shown: set[str] = set()
        for term in TERMS:
            response = client.get("/cerca/", {"q": term})
            assert response.status_code == 200, (persona, term)
            shown |= {hit.url for group in response.context["groups"] for hit in group.hits}
        assert shown, persona
        refused = {url: s for url in sorted(shown) if (s := client.get(url).status_code) != 200}
        assert not refused, f"{persona}: results that do not open: {refused}"


def test_hidden_rows_are_not_results(world):
    hidden = {
        world.pending_entity.get_absolute_url(),  # not verified: out of the directory
        world.draft_event.get_absolute_url(),
    }
    for persona in ("anon", "no_role", "entity_admin", "other_udp"):
        client = clients(world)[persona]
        shown = set()
        for term in ("ente", "evento", "attesa", "bozza"):
            response = client.get("/cerca/", {"q": term})
            shown |= {hit.url for group in response.context["groups"] for hit in group.hits}
        assert not shown & hidden, persona
