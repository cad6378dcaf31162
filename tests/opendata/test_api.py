"""The read-only API: JSON only, cursor pages, the pages' filters, 400 on bad parameters,
conditional GET (ETag, Last-Modified, 304), rate limits for anonymous clients, constant queries.
What each persona sees is walked in tests/security/test_api_walk.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import parse_http_date

from core.middleware import AnonymousPageCacheMiddleware
from entities.models import Entity
from participation.models import News
from tests.factories.entities import EntityFactory
from tests.factories.participation import NewsFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_json_whatever_the_client_accepts(client, entity):
    response = client.get(reverse("api:ente-list"), HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["results"][0]["denominazione"] == entity.name
    refused = client.post(reverse("api:ente-list"), {}, content_type="application/json")
    assert refused.status_code in (403, 405)  # read-only: no write, with or without CSRF
    assert refused["Content-Type"] == "application/json"


def test_cursor_pages_walk_every_row_once(client, ambito):
    made = {EntityFactory(ambito=ambito, name=f"Ente {i:02d}").pk for i in range(7)}
    url, seen = reverse("api:ente-list") + "?page_size=3", []
    pages = 0
    while url:
        data = client.get(url).json()
        assert len(data["results"]) <= 3
        seen += [row["id"] for row in data["results"]]
        url = data["next"]
        pages += 1
    assert pages == 3
    assert sorted(seen) == sorted(made)
    names = [Entity.objects.get(pk=pk).name for pk in seen]
    assert names == sorted(names)  # the cursor's order: by name


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?cursor=not-a-cursor", "detail"),
        ("?page_size=0", "detail"),
        ("?page_size=abc", "detail"),
        ("?forma=non-esiste", "forma"),
        ("?q=%00", "q"),
        ("?ambito=" + "x" * 300, "ambito"),
    ],
)
def test_bad_parameters_are_a_400_with_a_message(client, entity, query, field):
    response = client.get(reverse("api:ente-list") + query)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    message = response.json()[field]
    assert message and isinstance(message, str | list)


@pytest.mark.parametrize(
    "query", ["?ambito=abc", "?activity=99999999999999999999", "?status=nope", "?kind=x"]
)
def test_procedure_filters_refuse_bad_values(client, query):
    response = client.get(reverse("api:procedimento-list") + query)
    assert response.status_code == 400
    assert response.json()


def test_filters_are_the_pages(client, ambito, other_ambito):
    odv = EntityFactory(ambito=ambito, name="Volontari Uniti", legal_form="odv")
    union = EntityFactory(ambito=other_ambito, name="Sindacato Pensionati", legal_form="sindacato")
    listed = lambda q: {r["id"] for r in client.get(reverse("api:ente-list") + q).json()["results"]}  # noqa: E731
    assert odv.pk in listed("") and union.pk not in listed("")  # the directory's default: ETS
    assert union.pk in listed("?tipo=non_ets") and odv.pk not in listed("?tipo=non_ets")
    assert listed(f"?tipo=tutti&ambito={other_ambito.code}") == {union.pk}
    assert listed("?q=Volontari") == {odv.pk}


def test_etag_and_304(client, entity):
    url = reverse("api:ente-detail", kwargs={"pk": entity.pk})
    first = client.get(url)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('"') and modified
    assert "no-cache" in first["Cache-Control"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    # a change: a new ETag, and the old validators get the new body
    Entity.objects.filter(pk=entity.pk).update(description="Nuova descrizione")
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert changed.json()["descrizione"] == "Nuova descrizione"


def test_last_modified_moves_when_the_body_changes(client, ambito):
    """Last-Modified is when this body was first served (always later than the body before):
    a client asking If-Modified-Since with the date of an older body gets the new one, even when
    the change touched no timestamp (here: a news item whose publication time came)."""
    NewsFactory(ambito=ambito, title="Già pubblicata")
    scheduled = NewsFactory(
        ambito=ambito, title="In arrivo", published_at=timezone.now() + timedelta(days=1)
    )
    url = reverse("api:notizia-list")
    old = client.get(url)["Last-Modified"]
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=old).status_code == 304  # not yet public
    News.objects.filter(pk=scheduled.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    newer = client.get(url, HTTP_IF_MODIFIED_SINCE=old)
    assert newer.status_code == 200
    assert "In arrivo" in newer.content.decode()
    assert parse_http_date(newer["Last-Modified"]) > parse_http_date(old)
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=newer["Last-Modified"]).status_code == 304


def test_anonymous_clients_are_rate_limited(settings, client, entity, no_role_user):
    settings.PORTAL_RATE_LIMITS = {"api": "3/m/ip"}
    url = reverse("api:ente-list")
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(url)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "Troppe richieste" in refused.json()["detail"]
    download = reverse(
        "opendata:download", kwargs={"code": entity.ambito.code, "dataset": "enti", "fmt": "csv"}
    )
    assert client.get(download).status_code == 429  # the files count with the API
    # another address is counted apart; a logged-in user reads what the pages show them
    assert Client(REMOTE_ADDR="10.0.0.9").get(url).status_code == 200
    logged_in = Client()
    logged_in.force_login(no_role_user)
    assert [logged_in.get(url).status_code for _ in range(5)] == [200] * 5


def test_the_page_cache_never_keeps_api_answers(settings):
    """The anonymous page cache would answer 200 to a conditional request and skip the rate
    limit: the API is excluded from it (PAGE_CACHE_EXCLUDED_PREFIXES)."""
    settings.PAGE_CACHE_SECONDS = 30
    middleware = AnonymousPageCacheMiddleware(lambda request: None)
    assert middleware._key(RequestFactory().get("/api/v1/enti/")) is None
    assert middleware._key(RequestFactory().get("/enti/")) is not None


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("api:ente-list", lambda ambito, i: EntityFactory(ambito=ambito, name=f"E{i}")),
        ("api:notizia-list", lambda ambito, i: NewsFactory(ambito=ambito)),
    ],
)
def test_lists_read_a_constant_number_of_queries(
    client, ambito, name, make, django_assert_max_num_queries
):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(name)).status_code == 200
        return len(ctx.captured_queries)

    for i in range(2):
        make(ambito, i)
    few = count()
    for i in range(2, 30):
        make(ambito, i)
    assert count() == few
    with django_assert_max_num_queries(few):
        client.get(reverse(name))


def test_not_found_names_nothing(client, ambito):
    response = client.get(reverse("api:piano-detail", kwargs={"pk": 999999}))
    assert response.status_code == 404
    assert response.json() == {"detail": "Non trovato."}
