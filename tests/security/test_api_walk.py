"""The API shows each persona exactly what the pages show them.

For every endpoint of /api/v1/ (a new one without its row in WALK fails the first test), as each
of the nine personas of the permission matrix, on the matrix's world:
- a list holds the objects the list page links (the page itself is requested and read), or, for
  collections without a list page (meetings, interventions), the objects whose page opens;
- a detail answers 200 exactly where the object's page does, for every object of its kind in
  the world (404 where the page answers 404 or sends to the login).
Then the records that must never leak: applications before the results, reserved budgets."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from tests.security.matrix import PERSONAS
from tests.security.test_permission_matrix import clients
from tests.security.urls import endpoints

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Walk:
    model: str  # app_label.Model of the objects the endpoint publishes
    page: str  # URL name of an object's page
    # the list pages (URL and query) and the pattern of the links to the objects they show;
    # None: the objects whose page opens
    list_pages: tuple[str, ...] | None = None
    link: str = ""
    api_key: str = "id"  # the field of a list item that identifies the object
    key: Callable[[Any], Any] = lambda o: o.pk  # the object's identifier in the API
    page_kwargs: Callable[[Any], dict] = lambda o: {"pk": o.pk}
    api_kwargs: Callable[[Any], dict] = lambda o: {"pk": o.pk}
    # the part of the list the page shows (the API's list may be filtered the same way)
    api_query: str = ""
    expected_list: Callable[[Any], set] | None = None  # computed directly (no page to read)
    only: Callable[[Any], bool] = field(default=lambda o: True)


WALK: dict[str, Walk] = {
    "ambito": Walk(
        model="ambito.Ambito",
        page="ambito:detail",
        list_pages=("/ambiti/",),
        link=r'card-title"><a href="/([-\w]+)/"',  # the region home links each ambito's home
        api_key="codice",
        key=lambda o: o.code,
        page_kwargs=lambda o: {"code": o.code},
        api_kwargs=lambda o: {"code": o.code},
    ),
    "comune": Walk(
        model="ambito.Comune",
        page="ambito:detail",  # a comune is public with its ambito
        api_key="codice_istat",
        key=lambda o: o.istat_code,
        page_kwargs=lambda o: {"code": o.ambiti.first().code},
        api_kwargs=lambda o: {"istat_code": o.istat_code},
        only=lambda o: o.ambiti.exists(),
    ),
    "ente": Walk(
        model="entities.Entity",
        page="entities:detail",
        list_pages=("/enti/?tipo=tutti",),
        link=r'href="/enti/(\d+)/"',
        api_query="?tipo=tutti",
    ),
    "tavolo": Walk(
        model="tables.Table",
        page="tables:detail",
        list_pages=("/tavoli/",),
        link=r'href="/tavoli/(\d+)/"',
    ),
    "seduta": Walk(model="tables.Meeting", page="tables:meeting_detail"),
    "procedimento": Walk(
        model="processes.Procedure",
        page="processes:detail",
        list_pages=("/procedimenti/",),
        link=r'href="/procedimenti/(\d+)/"',
    ),
    "piano": Walk(
        model="plans.Plan",
        page="plans:detail",
        list_pages=("/piani/",),
        link=r'href="/piani/(\d+)/"',
    ),
    "intervento": Walk(
        model="plans.Intervention",
        page="plans:intervention",
        page_kwargs=lambda o: {"pk": o.plan_id, "intervention_pk": o.pk},
    ),
    "evento": Walk(
        model="participation.Event",
        page="participation:event_detail",
        list_pages=("/partecipazione/eventi/", "/partecipazione/eventi/?passati=1"),
        link=r'href="/partecipazione/eventi/(\d+)/"',
    ),
    "notizia": Walk(
        model="participation.News",
        page="participation:news_detail",
        list_pages=("/partecipazione/notizie/",),
        link=r'href="/partecipazione/notizie/(\d+)/"',
    ),
}
# Not collections of objects: the same for everyone (checked below).
GENERAL = {"api:api-root", "api:schema", "api:not_found"}


def api_names() -> set[str]:
    return {e.name for e in endpoints() if e.name.startswith("api:")}


def test_every_endpoint_is_walked():
    walked = {f"api:{b}-list" for b in WALK} | {f"api:{b}-detail" for b in WALK} | GENERAL
    missing = api_names() - walked
    assert not missing, f"API endpoints without a row in WALK: {sorted(missing)}"
    assert not walked - api_names(), f"rows for endpoints that do not exist: {walked - api_names()}"


def api_list(client: Client, url: str) -> list[dict]:
    """Every item of a list, following the cursor to the end."""
    items, seen = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        data = response.json()
        items += data["results"]
        url = data["next"]
        seen += 1
        assert seen < 50
    return items


def page_ids(client: Client, walk: Walk) -> set[str]:
    ids: set[str] = set()
    for url in walk.list_pages:
        response = client.get(url)
        assert response.status_code == 200, url
        found = set(re.findall(walk.link, response.content.decode()))
        assert "page=2" not in response.content.decode(), f"{url}: more than one page in the world"
        ids |= found
    return ids


def objects(walk: Walk) -> list:
    return [o for o in apps.get_model(walk.model).objects.order_by("pk") if walk.only(o)]


def page_opens(client: Client, walk: Walk, obj) -> bool:
    response = client.get(reverse(walk.page, kwargs=walk.page_kwargs(obj)))
    assert response.status_code in (200, 302, 403, 404), response.status_code
    return response.status_code == 200


@pytest.mark.parametrize("basename", sorted(WALK))
def test_api_shows_each_persona_what_the_pages_show(basename, world):
    walk = WALK[basename]
    everything = objects(walk)
    assert everything, f"the world has no {walk.model}"
    hidden_somewhere = False
    for persona, client in clients(world).items():
        opens = {str(walk.key(o)): page_opens(client, walk, o) for o in everything}
        hidden_somewhere |= not all(opens.values())
        # detail: 200 exactly where the page opens
        for obj in everything:
            url = reverse(f"api:{basename}-detail", kwargs=walk.api_kwargs(obj))
            status = client.get(url).status_code
            expected = 200 if opens[str(walk.key(obj))] else 404
            assert status == expected, f"{persona}: GET {url} gave {status}, the page {expected}"
        # list: what the list page shows (or every object whose page opens)
        listed = {
            str(item[walk.api_key])
            for item in api_list(client, reverse(f"api:{basename}-list") + walk.api_query)
        }
        if walk.list_pages is not None:
            expected_list = page_ids(client, walk)
        else:
            expected_list = {key for key, ok in opens.items() if ok}
        assert listed == expected_list, (
            f"{persona}: the API lists {sorted(listed - expected_list)} that the page does not, "
            f"and misses {sorted(expected_list - listed)}"
        )
    if basename not in ("ambito", "comune", "evento"):
        assert hidden_somewhere, f"{basename}: the world hides nothing from anyone: walk is vacuous"


def test_hidden_objects_are_hidden_from_who_may_not_see_them(world):
    """The objects the walk must prove hidden, named: each 404 in the API to the personas the
    matrix says may not see it, 200 to one who may."""
    cases = [
        ("tavolo", world.reserved_table.pk, "anon", "other_entity_admin", "delegate"),
        ("seduta", world.reserved_past.pk, "anon", "other_udp", "entity_admin"),
        ("seduta", world.meeting.pk, "anon", "delegate", "udp"),  # a draft meeting
        ("piano", world.plan.pk, "anon", "entity_admin", "comune"),  # a draft plan
        ("intervento", world.intervention.pk, "no_role", "other_udp", "udp"),
        ("ente", world.pending_entity.pk, "anon", "other_entity_admin", "udp"),
        ("evento", world.draft_event.pk, "anon", "delegate", "comune"),
        ("notizia", world.scheduled_news.pk, "anon", "entity_admin", "udp"),
        ("notizia", world.draft_news.pk, "no_role", "other_udp", "udp"),
    ]
    cs = clients(world)
    for basename, pk, *refused_and_allowed in cases:
        *refused, allowed = refused_and_allowed
        url = reverse(f"api:{basename}-detail", kwargs={"pk": pk})
        for persona in refused:
            assert cs[persona].get(url).status_code == 404, (persona, url)
            listed = {i["id"] for i in api_list(cs[persona], reverse(f"api:{basename}-list"))}
            assert pk not in listed, (persona, basename, pk)
        assert cs[allowed].get(url).status_code == 200, (allowed, url)


def _all_api_text(client: Client, world) -> str:
    """Every list and every procedure's detail, as one text."""
    texts = []
    for basename in WALK:
        texts += [str(i) for i in api_list(client, reverse(f"api:{basename}-list"))]
    for procedure in apps.get_model("processes.Procedure").objects.all():
        response = client.get(reverse("api:procedimento-detail", kwargs={"pk": procedure.pk}))
        texts.append(response.content.decode())
    return "\n".join(texts)


def test_confidential_records_never_appear(world):
    """Applications are never published by the API: before the results a procedure's record
    names no applicant for anyone (its RUP included, who reads them on the pages); budgets and
    reasons of applications never appear; after the results, admitted and excluded are public
    with their scores."""
    cs = clients(world)
    objection = world.open_exclusion.application.procedure
    before_results = [world.open_procedure, world.admission, world.evaluation, objection]
    for persona in PERSONAS:
        client = cs[persona]
        for procedure in before_results:
            data = client.get(reverse("api:procedimento-detail", kwargs={"pk": procedure.pk}))
            assert data.status_code == 200
            assert data.json()["esito"] is None, (persona, procedure)
        text = _all_api_text(client, world)
        for secret in (
            "Spesa riservata della Rete",  # an application's budget line
            "Punteggio 40 inferiore alla soglia",  # the reason of an exclusion
            "Manca l'iscrizione al RUNTS",  # an art. 10-bis notice
            "Manca lo statuto",  # an integration request
            world.open_submitted.protocol_number,
            "ricevuta",  # receipts
        ):
            assert secret not in text, (persona, secret)
        ranked = client.get(reverse("api:procedimento-detail", kwargs={"pk": world.ranked.pk}))
        result = ranked.json()["esito"]
        assert [a["ente"]["id"] for a in result["ammessi"]] == [world.entity.pk]
        assert [(a["ente"]["id"], a["punteggio"]) for a in result["non_ammessi"]] == [
            (world.other_entity.pk, "40.00")
        ]


def test_entities_show_public_fields_only(world):
    """The API shows what the public profile shows: never the legal representative or phone,
    even to the staff who read them on the page."""
    type(world.entity).objects.filter(pk=world.entity.pk).update(
        legal_representative="Anna Riservata", phone="071 999999"
    )
    for persona, client in clients(world).items():
        body = client.get(reverse("api:ente-detail", kwargs={"pk": world.entity.pk})).content
        listed = str(api_list(client, reverse("api:ente-list")))
        for secret in ("Anna Riservata", "999999"):
            assert secret not in body.decode() and secret not in listed, persona


def test_general_endpoints_are_the_same_for_everyone(world):
    cs = clients(world)
    bodies = {p: c.get(reverse("api:api-root")).json() for p, c in cs.items()}
    assert len({str(b) for b in bodies.values()}) == 1
    assert len(bodies["anon"]) == len(WALK)
    for client in cs.values():
        assert client.get(reverse("api:schema")).status_code == 200
        missing = client.get(reverse("api:not_found", kwargs={"path": "x/y"}))
        assert missing.status_code == 404
        assert missing["Content-Type"].startswith("application/json")
