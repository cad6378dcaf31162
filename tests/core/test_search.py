"""Global search (/cerca/): results grouped by kind, only what the visitor may open (each app's
own policy), the ambito of the URL prefix only, Italian stemming on PostgreSQL, a substring
match elsewhere, constant queries, rate-limited for visitors without a session."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from core import search
from entities.models import Entity
from plans.models import Plan
from processes.models import ApplicationStatus
from tables.models import Meeting
from tests.factories.entities import EntityFactory
from tests.factories.participation import (
    EventFactory,
    LibraryItemFactory,
    NewsFactory,
    ProposalFactory,
)
from tests.factories.plans import InterventionFactory, make_plan
from tests.factories.processes import ApplicationFactory, NoticeFactory, ProcedureFactory
from tests.factories.tables import MeetingFactory, TableFactory

pytestmark = pytest.mark.django_db

WORD = "girasole"


@pytest.fixture
def world(ambito, other_ambito, entity, no_role_user):
    """Rows that all say WORD: `shown` ones every visitor may open, and hidden ones."""
    w = {}
    w["entity"] = EntityFactory(ambito=ambito, name="Cooperativa Il Girasole")
    w["pending_entity"] = EntityFactory(
        ambito=ambito, name="Girasole in attesa", status=Entity.Status.PENDING
    )
    w["table"] = TableFactory(ambito=ambito, name="Tavolo del girasole")
    w["reserved_table"] = TableFactory(ambito=ambito, name="Girasole riservato", reserved=True)
    w["meeting"] = MeetingFactory(
        table=w["table"], title="Seduta girasole", status=Meeting.Status.CONVENED
    )
    w["draft_meeting"] = MeetingFactory(table=w["table"], title="Girasole in preparazione")
    w["procedure"] = ProcedureFactory(
        ambito=ambito, title="Co-progettazione girasole", status="notice_published"
    )
    w["notice"] = NoticeFactory(
        procedure=w["procedure"], subject="Avviso girasole", published_at=timezone.now()
    )
    w["draft_procedure"] = ProcedureFactory(ambito=ambito, title="Girasole in bozza")
    w["draft_notice"] = NoticeFactory(procedure=w["draft_procedure"], subject="Girasole bozza")
    # An application's text is confidential: no search ever shows it.
    w["application"] = ApplicationFactory(
        procedure=w["procedure"],
        entity=entity,
        status=ApplicationStatus.SUBMITTED,
        proposal="Girasole segretissimo",
    )
    w["plan"] = make_plan(ambito, title="Piano girasole", status=Plan.Status.APPROVED)
    w["intervention"] = InterventionFactory(plan=w["plan"], title="Orti del girasole")
    w["draft_plan"] = make_plan(
        ambito, title="Girasole da approvare", start_year=2028, end_year=2030
    )
    w["news"] = NewsFactory(ambito=ambito, title="Girasole in festa")
    w["draft_news"] = NewsFactory(ambito=ambito, title="Girasole non uscita", published_at=None)
    w["library"] = LibraryItemFactory(ambito=ambito, title="Manuale del girasole")
    w["event"] = EventFactory(ambito=ambito, title="Festa del girasole")
    w["draft_event"] = EventFactory(ambito=ambito, title="Girasole in bozza", status="draft")
    w["proposal"] = ProposalFactory(
        table=w["table"], author=no_role_user, title="Proposta girasole"
    )
    w["elsewhere"] = TableFactory(ambito=other_ambito, name="Girasole di un altro ambito")
    return w


PUBLIC = [
    "entity",
    "table",
    "meeting",
    "procedure",
    "notice",
    "plan",
    "intervention",
    "news",
    "library",
    "event",
    "elsewhere",
]
# hidden from the public; who else sees them (by the app's own policy)
STAFF_OF_AMBITO = ["reserved_table", "draft_procedure", "draft_plan", "draft_news", "draft_event"]


def found(client, path: str = "/cerca/", q: str = WORD) -> set[str]:
    response = client.get(path, {"q": q})
    assert response.status_code == 200
    return {hit.url for group in response.context["groups"] for hit in group.hits}


def urls(world, names) -> set[str]:
    return {world[n].get_absolute_url() for n in names}


# an unverified entity is not in the directory; a draft avviso is read from its procedure's page
NEVER = ["pending_entity", "draft_notice"]


@pytest.mark.parametrize(
    ("persona", "also"),
    [
        (None, []),
        ("entity_admin", []),
        ("no_role_user", ["proposal"]),  # its author
        ("comune_user", [*STAFF_OF_AMBITO, "proposal"]),
        ("staff_user", [*STAFF_OF_AMBITO, "proposal", "draft_meeting"]),  # manages the table
        ("other_staff", []),
    ],
)
def test_each_persona_finds_what_it_may_open_and_nothing_else(
    request, client_for, world, persona, also
):
    user = request.getfixturevalue(persona) if persona else None
    content_client = client_for(user)
    got = found(content_client)
    assert got == urls(world, PUBLIC + also)
    assert not got & urls(world, NEVER)
    if persona != "staff_user":
        assert world["draft_meeting"].get_absolute_url() not in got
    page = content_client.get("/cerca/", {"q": "segretissimo"}).content.decode()
    assert "segretissimo" in page  # the term is echoed...
    assert world["application"].get_absolute_url() not in page  # ...never the application
    assert "Nessun risultato" in page


def test_results_are_grouped_by_kind_with_counts_and_highlighted(client, world):
    response = client.get("/cerca/", {"q": WORD})
    groups = {g.kind: g.total for g in response.context["groups"]}
    assert groups == {
        "enti": 1,
        "tavoli": 2,
        "sedute": 1,
        "procedimenti": 1,
        "avvisi": 1,
        "piani": 1,
        "interventi": 1,
        "notizie": 1,
        "biblioteca": 1,
        "eventi": 1,
    }
    page = response.content.decode()
    assert "11 risultati per «girasole»" in page
    assert 'id="risultati-tavoli"' in page
    assert "Cooperativa Il <mark>Girasole</mark>" in page
    assert "Orti del <mark>girasole</mark>" in page


def test_inside_an_ambito_only_its_rows(client, world, ambito):
    got = found(client, f"/{ambito.code}/cerca/")
    assert got == {
        f"/{ambito.code}{u}" for u in urls(world, [n for n in PUBLIC if n != "elsewhere"])
    }
    page = client.get(f"/{ambito.code}/cerca/", {"q": WORD}).content.decode()
    assert f"Risultati dell'ambito {ambito.name}." in page
    assert 'href="/cerca/?q=girasole"' in page  # the whole region


def test_a_group_shows_ten_and_links_every_match(client, ambito):
    for i in range(12):
        EntityFactory(ambito=ambito, name=f"Girasole numero {i}")
        TableFactory(ambito=ambito, name=f"Girasole {i}")
    response = client.get("/cerca/", {"q": WORD})
    groups = {g.kind: g for g in response.context["groups"]}
    assert (groups["enti"].total, len(groups["enti"].hits)) == (12, 10)
    page = response.content.decode()
    # entities: the directory with its own text filter; tables (no text filter): this kind alone
    assert 'href="/enti/?q=girasole&amp;tipo=tutti"' in page
    assert 'href="/cerca/?q=girasole&amp;tipo=tavoli"' in page
    one_kind = client.get("/cerca/", {"q": WORD, "tipo": "tavoli"})
    assert [g.kind for g in one_kind.context["groups"]] == ["tavoli"]
    assert len(one_kind.context["groups"][0].hits) == 12
    directory = client.get("/enti/", {"q": WORD, "tipo": "tutti"}).content.decode()
    assert "Girasole numero 11" in directory


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("", "Scrivi nella casella una o più parole"),
        ("  ", "Scrivi nella casella una o più parole"),
        ("ab", "Scrivi almeno 3 caratteri per cercare."),
        ("zzzqqq", "Nessun risultato per «zzzqqq»"),
    ],
)
def test_empty_short_and_fruitless_searches_say_what_to_do(client, world, q, message):
    page = client.get("/cerca/", {"q": q}).content.decode()
    assert message in page


def test_the_header_has_a_labelled_search_box(client, ambito):
    page = client.get("/").content.decode()
    form = (
        'class="portal-header-search d-none d-md-flex" role="search" method="get" action="/cerca/"'
    )
    assert form in page
    assert '<label class="visually-hidden" for="portal-search-q">Cerca nel portale</label>' in page
    # on a phone: a link to the search page
    assert 'href="/cerca/">' in page
    assert 'id="portal-search-q" name="q"' in page


def test_queries_do_not_grow_with_the_rows(client_for, django_assert_max_num_queries, staff_user):
    ambito = staff_user.staff_roles.first().ambito
    user_client = client_for(staff_user)

    def make(n):
        for i in range(n):
            table = TableFactory(ambito=ambito, name=f"Girasole {i}")
            MeetingFactory(table=table, title=f"Girasole {i}", status=Meeting.Status.CONVENED)
            EntityFactory(ambito=ambito, name=f"Girasole {i}")
            NewsFactory(ambito=ambito, title=f"Girasole {i}")
            ProposalFactory(table=table, author=staff_user, title=f"Girasole {i}")

    make(2)
    with django_assert_max_num_queries(40) as few:
        user_client.get("/cerca/", {"q": WORD})
    make(15)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = user_client.get("/cerca/", {"q": WORD})
    assert {g.kind: g.total for g in response.context["groups"]}["tavoli"] == 17


def test_anonymous_searches_are_rate_limited(client, settings, world, staff_user, client_for):
    settings.PORTAL_RATE_LIMITS = {"search": "2/m/ip"}
    assert client.get("/cerca/", {"q": WORD}).status_code == 200
    assert client.get("/cerca/", {"q": WORD}).status_code == 200
    refused = client.get("/cerca/", {"q": WORD})
    assert refused.status_code == 429
    assert "Hai fatto troppe ricerche in poco tempo" in refused.content.decode()
    assert refused["Retry-After"] == "60"
    assert client.get("/cerca/", {"q": ""}).status_code == 200  # no search, nothing counted
    assert client_for(staff_user).get("/cerca/", {"q": WORD}).status_code == 200


def test_substring_match_or_stemming_finds_word_forms(client, ambito):
    entity = EntityFactory(ambito=ambito, name="Cooperativa sociale Arcobaleno")
    got = found(client, q="cooperativ")  # a part of a word: the embedded mode's substring
    if connection.vendor != "postgresql":
        assert entity.get_absolute_url() in got


@pytest.mark.postgres  # skipped without PostgreSQL, failed instead with REQUIRE_SERVICES=1
def test_postgresql_stems_italian_words(client, ambito):
    """ "cooperative" finds "cooperativa", "famiglie" finds "famiglia": Italian stemming."""
    entity = EntityFactory(ambito=ambito, name="Cooperativa sociale Arcobaleno")
    table = TableFactory(ambito=ambito, name="Tavolo", description="Servizi per la famiglia")
    assert entity.get_absolute_url() in found(client, q="cooperative")
    assert table.get_absolute_url() in found(client, q="famiglie")
    # websearch syntax: a word excluded
    assert table.get_absolute_url() not in found(client, q="famiglie -servizi")


def test_highlight_escapes_and_marks_word_forms():
    marked = search.highlight("Le <b>cooperative</b> & la Cooperativa", "cooperativa")
    assert marked == (
        "Le &lt;b&gt;<mark>cooperative</mark>&lt;/b&gt; &amp; la <mark>Cooperativa</mark>"
    )
    assert search.highlight("Università", "universita") == "<mark>Università</mark>"


def test_excerpt_shows_the_text_around_the_first_match():
    text = ("parola " * 60) + "girasole " + ("altro " * 60)
    cut = search.excerpt(text, "girasole")
    assert "girasole" in cut
    assert cut.startswith("… ") and cut.endswith(" …")
    assert len(cut) <= search.EXCERPT_CHARS + 4


def test_a_very_common_word_ranks_cap_rows_and_says_more(client, ambito, monkeypatch):
    monkeypatch.setattr(search, "CAP", 3)
    for i in range(5):
        TableFactory(ambito=ambito, name=f"Girasole {i}")
    TableFactory(ambito=ambito, name="Margherita")
    response = client.get("/cerca/", {"q": WORD})
    (group,) = response.context["groups"]
    assert (group.total, group.capped, len(group.hits)) == (3, True, 3)
    page = response.content.decode()
    assert "Oltre 3 risultati per «girasole»" in page
    assert 'Tavoli <span class="badge bg-primary">oltre 3' in page
    one_kind = client.get("/cerca/", {"q": WORD, "tipo": "tavoli", "page": 2})
    assert len(one_kind.context["groups"][0].hits) == 3  # past the cap: the first page


def test_a_minus_excludes_a_word_on_every_database(client, world):
    got = found(client, q="girasole -festa")
    assert world["table"].get_absolute_url() in got
    assert not got & urls(world, ["news", "event"])  # "Girasole in festa", "Festa del girasole"


@pytest.mark.parametrize("q", ["gira\x00sole", "???", '"girasole', "girasole " * 60, "-"])
def test_odd_input_is_answered_not_crashed(client, world, q):
    response = client.get("/cerca/", {"q": q})
    assert response.status_code == 200
    assert len(response.context["term"]) <= search.MAX_LENGTH


def test_one_kind_is_paged(client, ambito, monkeypatch):
    monkeypatch.setattr(search, "PAGE_SIZE", 5)
    tables = [TableFactory(ambito=ambito, name=f"Girasole {i}") for i in range(7)]
    first = client.get("/cerca/", {"q": WORD, "tipo": "tavoli"})
    assert 'href="?q=girasole&amp;tipo=tavoli&amp;page=2"' in first.content.decode()
    second = client.get("/cerca/", {"q": WORD, "tipo": "tavoli", "page": 2})
    (group,) = second.context["groups"]
    assert group.total == 7
    shown = {h.url for h in first.context["groups"][0].hits} | {h.url for h in group.hits}
    assert shown == {t.get_absolute_url() for t in tables}
    assert "Cerca nel portale: Tavoli" in second.content.decode()
