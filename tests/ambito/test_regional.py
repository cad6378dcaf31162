"""Many ambiti, one region: the URL prefix /<code>/ puts the visitor in an ambito (header, home,
lists, forms follow it), the region's own pages list and aggregate the ambiti."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ambito import routing
from ambito.models import Ambito
from entities.models import Entity
from plans.models import Plan
from tests.factories.ambito import AmbitoFactory, ComuneFactory
from tests.factories.entities import EntityFactory
from tests.factories.participation import EventFactory
from tests.factories.plans import (
    BudgetLineFactory,
    FundAvailabilityFactory,
    InterventionFactory,
    make_plan,
    source,
)
from tests.factories.processes import NoticeFactory, ProcedureFactory
from tests.factories.tables import TableFactory

pytestmark = pytest.mark.django_db


def _count(client, url: str) -> int:
    """Queries of one GET (the log is emptied first: it keeps at most 9,000 queries, and a full
    one measures nothing)."""
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return len(ctx.captured_queries)


def _amounts(row: str) -> list[str]:
    return [
        c.replace("\xa0", " ").strip()
        for c in re.findall(r'<td class="text-end[^"]*">([^<]*)', row)
    ]


def _brand(html: str) -> str:
    return re.search(r'<div class="it-brand-title">(.*?)</div>', html).group(1)


def _open_procedure(ambito, title: str):
    now = timezone.now()
    procedure = ProcedureFactory(ambito=ambito, title=title, status="notice_published")
    NoticeFactory(
        procedure=procedure, version=1, deadline=now + timedelta(days=20), published_at=now
    )
    return procedure


@pytest.fixture
def fano(db):
    return AmbitoFactory(name="ATS 6 Fano", code="ats-6-fano")


@pytest.fixture
def pesaro(db):
    return AmbitoFactory(name="ATS 1 Pesaro", code="ats-1-pesaro")


# --- one ambito: nothing changes --------------------------------------------------------------
def test_a_portal_with_one_ambito_is_that_ambitos(client, fano):
    TableFactory(ambito=fano, name="Tavolo Inclusione")
    home = client.get("/").text
    assert _brand(home) == "ATS 6 Fano"
    assert "Tavolo Inclusione" in home
    assert "Gli ambiti territoriali sociali" not in home
    assert 'href="/tavoli/"' in home  # links without a prefix, as before
    # the prefix works there too, and the links keep it
    prefixed = client.get("/ats-6-fano/").text
    assert _brand(prefixed) == "ATS 6 Fano" and 'href="/ats-6-fano/tavoli/"' in prefixed


# --- the prefix -------------------------------------------------------------------------------
def test_the_prefix_puts_the_visitor_in_the_ambito(client, fano, pesaro):
    TableFactory(ambito=fano, name="Tavolo di Fano")
    TableFactory(ambito=pesaro, name="Tavolo di Pesaro")
    body = client.get("/ats-1-pesaro/").text
    assert _brand(body) == "ATS 1 Pesaro"
    assert "Tavolo di Pesaro" in body and "Tavolo di Fano" not in body
    # every link of the page stays in the ambito: reverse() keeps the prefix
    assert 'href="/ats-1-pesaro/tavoli/"' in body and 'href="/ats-1-pesaro/procedimenti/"' in body
    assert 'href="/tavoli/"' not in body
    # and the portal's name leads to the region's home, without the prefix
    assert re.search(r'<a class="navbar-brand" href="/">', body)
    tables = client.get("/ats-1-pesaro/tavoli/").text
    assert _brand(tables) == "ATS 1 Pesaro"
    assert "Tavolo di Pesaro" in tables and "Tavolo di Fano" not in tables


def test_the_prefix_without_its_slash_redirects(client, pesaro):
    response = client.get("/ats-1-pesaro?x=1")
    assert response.status_code == 301 and response["Location"] == "/ats-1-pesaro/?x=1"


def test_an_unknown_prefix_is_not_found(client, fano, pesaro):
    assert client.get("/ats-99/").status_code == 404
    assert client.get("/ats-99/tavoli/").status_code == 404


def test_object_pages_take_their_ambito_from_the_object(client, fano, pesaro, staff_user):
    """The prefix never decides what a person may see: a draft of Fano stays Fano's staff's,
    under any prefix; a public object of Fano is the same page under Pesaro's prefix."""
    procedure = ProcedureFactory(ambito=fano, title="Procedimento di Fano", status="started")
    table = TableFactory(ambito=fano, name="Tavolo di Fano")
    assert client.get(f"/ats-1-pesaro/procedimenti/{procedure.pk}/").status_code == 404
    assert client.get(f"/ats-1-pesaro/tavoli/{table.pk}/").status_code == 200
    other = AmbitoFactory()
    from tests.factories.ambito import StaffRoleFactory

    udp = StaffRoleFactory(ambito=fano).user
    assert client.get(f"/{other.code}/procedimenti/{procedure.pk}/").status_code == 404
    client.force_login(udp)
    assert client.get(f"/{other.code}/procedimenti/{procedure.pk}/").status_code == 200


def test_the_prefix_costs_no_query(client, fano):
    """A prefixed page runs the same queries as the same page without the prefix: the codes
    come from the cache (read once, then kept until an ambito changes)."""
    TableFactory(ambito=fano)
    for url in ("/", "/tavoli/"):
        client.get(url)  # warm the caches
        assert _count(client, f"/ats-6-fano{url}") == _count(client, url), url
    AmbitoFactory(code="ats-1-pesaro")
    client.get("/ats-1-pesaro/tavoli/")
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as regional:
        client.get("/ats-1-pesaro/tavoli/")
    every_code = [
        q for q in regional.captured_queries if q["sql"].startswith('SELECT "ambito_ambito"."code"')
    ]
    assert every_code == []


def test_a_new_ambito_is_reachable_at_once(client, fano):
    client.get("/")  # the codes are cached
    AmbitoFactory(name="ATS 3 Fossombrone", code="ats-3-fossombrone")
    assert _brand(client.get("/ats-3-fossombrone/").text) == "ATS 3 Fossombrone"


def test_an_ambito_code_may_not_be_an_address_of_the_portal(fano):
    for code in ("tavoli", "account", "static", "mappafondo", "admin"):
        ambito = Ambito(name="X", code=code, region="Marche", lead_comune=fano.lead_comune)
        with pytest.raises(ValidationError) as exc:
            ambito.full_clean()
        assert "è già un indirizzo del portale" in str(exc.value)


def test_routing_helpers_outside_a_request():
    assert routing.place() == routing.Place()
    assert routing.within("ats-1", "/tavoli/") == "/ats-1/tavoli/"
    assert routing.outside("/tavoli/") == "/tavoli/"


# --- the region's home -------------------------------------------------------------------------
def _fill(ambito, n: int):
    for i in range(n):
        _open_procedure(ambito, f"Avviso {i} di {ambito.name}")
        EventFactory(ambito=ambito, title=f"Evento {i} di {ambito.name}")
    make_plan(ambito, status=Plan.Status.APPROVED, title=f"Piano di {ambito.name}")
    make_plan(
        ambito,
        status=Plan.Status.DRAFT,
        title=f"Bozza di {ambito.name}",
        start_year=2028,
        end_year=2030,
    )


def test_the_region_home_lists_each_ambito_with_its_open_work(client, fano, pesaro):
    _fill(fano, 4)
    _fill(pesaro, 1)
    body = client.get("/").text
    assert _brand(body) == client.get("/").context["portal_name"]
    assert "Gli ambiti territoriali sociali" in body
    fano_card = body[body.index("ATS 6 Fano</a></h3>") :]
    assert "4 avvisi aperti" in fano_card and "4 eventi in programma" in fano_card
    assert "Avviso 0 di ATS 6 Fano" in fano_card and "Avviso 3 di ATS 6 Fano" not in fano_card
    assert "Piano di ATS 6 Fano 2025-2027" in fano_card
    assert "Bozza di" not in body  # a draft plan is its staff's
    pesaro_card = body[body.index("ATS 1 Pesaro</a></h3>") :]
    assert "1 avviso aperto" in pesaro_card
    # every link of a card goes inside its ambito
    procedure = fano.procedures.order_by("pk").first()
    assert f'href="/ats-6-fano/procedimenti/{procedure.pk}/"' in body
    assert 'href="/ats-1-pesaro/"' in body
    # and the home's own blocks of one ambito are not there
    assert "Prossimo evento" not in body


def test_the_region_home_costs_the_same_queries_for_any_number_of_ambiti(
    client, fano, pesaro, django_assert_max_num_queries
):
    _fill(fano, 2)
    _fill(pesaro, 2)
    client.get("/")
    two = _count(client, "/")
    for i in range(4):
        _fill(AmbitoFactory(name=f"ATS {10 + i}"), 3)
    client.get("/")
    assert _count(client, "/") <= two
    body = client.get("/").text
    assert body.count("avvisi aperti") == 6
    assert client.get(reverse("ambito:list")).text.count("avvisi aperti") == 6


# --- forms follow the ambito ------------------------------------------------------------------
def test_forms_follow_the_ambito(client, fano, pesaro, superuser):
    client.force_login(superuser)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("django.conf.settings.MFA_REQUIRED_FOR_STAFF", False)
        html = client.get("/ats-1-pesaro/tavoli/nuovo/").text
        assert "ATS 1 Pesaro" in html[html.index("<main") :]
        plan_form = client.get("/ats-1-pesaro/piani/nuovo/").text
        assert re.search(rf'<option value="{pesaro.pk}" selected>', plan_form)
        procedure_form = client.get("/ats-1-pesaro/procedimenti/nuovo/").text
        assert "ATS 1 Pesaro" in procedure_form[procedure_form.index("<h1") :][:300]


def test_the_entity_form_offers_the_comuni_of_the_ambito(client_for, no_role_user):
    pesaro = AmbitoFactory(code="ats-1-pesaro", member_comuni=[ComuneFactory(name="Gradara")])
    AmbitoFactory(code="ats-6-fano", member_comuni=[ComuneFactory(name="Mondolfo")])
    html = client_for(no_role_user).get("/ats-1-pesaro/enti/registra/").text
    assert "Gradara" in html and "Mondolfo" not in html
    assert pesaro.name in html


# --- the regional views ------------------------------------------------------------------------
def _funds(ambito, available: str, allocated: str, year: int = 2025):
    plan = make_plan(ambito, status=Plan.Status.APPROVED)
    FundAvailabilityFactory(plan=plan, source=source("fnps"), year=year, amount=Decimal(available))
    intervention = InterventionFactory(plan=plan)
    BudgetLineFactory(
        intervention=intervention, source=source("fnps"), year=year, amount=Decimal(allocated)
    )
    return plan


def test_the_regional_mappafondo_adds_up_the_ambiti(
    client, fano, pesaro, django_assert_max_num_queries
):
    _funds(fano, "100000.00", "60000.00")
    _funds(pesaro, "50000.00", "55000.00", year=2026)
    draft = make_plan(fano, start_year=2028, end_year=2030)
    FundAvailabilityFactory(plan=draft, source=source("fnps"), year=2028, amount=Decimal("999999"))
    url = reverse("ambito:region_funds")
    client.get(url)
    two = _count(client, url)
    body = client.get(url).text
    assert "Mappafondo regionale" in body
    sources = body[body.index("Disponibile e assegnato per fonte e anno") :]
    row = sources[sources.index("Fondo nazionale politiche sociali</th>") :].split("</tr>")[0]
    assert _amounts(row) == [
        "100.000,00 €",
        "60.000,00 €",
        "50.000,00 €",
        "55.000,00 €",
        "150.000,00 €",
        "115.000,00 €",
    ]
    assert "999.999" not in body  # a draft plan counts for nobody
    per_ambito = body[body.index("Per ambito") :]
    fano_row = per_ambito[per_ambito.index("ATS 6 Fano</th>") :].split("</tr>")[0]
    assert _amounts(fano_row) == [
        "100.000,00 €",
        "60.000,00 €",
        "40.000,00 €",
    ]
    assert per_ambito.count('role="img"') == 1 and body.count('role="img"') == 2
    assert 'id="region-sources-title"' in body and 'id="region-ambiti-title"' in body
    for _i in range(3):
        _funds(AmbitoFactory(), "1000.00", "10.00")
    client.get(url)  # the cached codes of the ambiti are read again once
    assert _count(client, url) <= two


def test_the_regional_directory_counts_each_ambitos_bodies(client, fano, pesaro):
    EntityFactory(ambito=fano, legal_form="odv", runts_section="a", status=Entity.Status.VERIFIED)
    EntityFactory(ambito=fano, legal_form="aps", runts_section="b", status=Entity.Status.VERIFIED)
    EntityFactory(ambito=pesaro, legal_form="odv", runts_section="a", status=Entity.Status.VERIFIED)
    EntityFactory(ambito=pesaro, legal_form="odv", runts_section="a", status=Entity.Status.PENDING)
    body = client.get(reverse("ambito:region_directory")).text
    assert "3 enti del Terzo settore verificati negli ambiti del portale" in body
    fano_row = body[body.index('href="/ats-6-fano/enti/">ATS 6 Fano') :].split("</tr>")[0]
    assert re.findall(r'<td class="text-end[^"]*">(\d+)', fano_row)[-2:] == ["2", "0"]
    # the directory inside an ambito lists its bodies; on the region's pages, all, with a filter
    names = dict(Entity.objects.values_list("pk", "name"))
    inside = client.get("/ats-1-pesaro/enti/").text
    outside = client.get("/enti/").text
    pesaro_names = [names[e.pk] for e in Entity.objects.filter(ambito=pesaro, status="verified")]
    assert all(n in inside for n in pesaro_names)
    assert not any(
        n in inside for n in Entity.objects.filter(ambito=fano).values_list("name", flat=True)
    )
    assert 'name="ambito"' in outside and 'name="ambito"' not in inside
    filtered = client.get("/enti/", {"ambito": "ats-6-fano"}).text
    assert "2 enti trovati" in filtered
