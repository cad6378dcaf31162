"""The avvisi feeds (RSS 2.0 and Atom): one item per published version of the avviso, dated by
its publication (a correction is news of its own day), and none for closed or cancelled
procedures. Read back as XML, as a comune's website would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from defusedxml import ElementTree
from django.urls import reverse
from django.utils import timezone

from tests.factories.processes import NoticeFactory, ProcedureFactory

pytestmark = pytest.mark.django_db
ATOM = {"a": "http://www.w3.org/2005/Atom"}


def _rss(client, ambito) -> list[dict]:
    root = ElementTree.fromstring(
        client.get(reverse("participation:avvisi_feed") + f"?ambito={ambito.code}").content
    )
    return [
        {
            "title": item.findtext("title"),
            "link": item.findtext("link"),
            "date": parsedate_to_datetime(item.findtext("pubDate")),
        }
        for item in root.iter("item")
    ]


def _atom(client, ambito) -> list[dict]:
    root = ElementTree.fromstring(
        client.get(reverse("participation:avvisi_feed_atom") + f"?ambito={ambito.code}").content
    )
    return [
        {
            "title": entry.findtext("a:title", namespaces=ATOM),
            "link": entry.find("a:link", ATOM).get("href"),
            "published": datetime.fromisoformat(entry.findtext("a:published", namespaces=ATOM)),
            "updated": datetime.fromisoformat(entry.findtext("a:updated", namespaces=ATOM)),
        }
        for entry in root.findall("a:entry", ATOM)
    ]


@pytest.fixture
def avvisi(ambito):
    """A procedure created long ago whose avviso came out last week and was corrected
    yesterday; one closed; one cancelled."""
    now = timezone.now().replace(microsecond=0)
    current = ProcedureFactory(ambito=ambito, title="Centro per le famiglie", status="admission")
    current.created_at = now - timedelta(days=200)
    current.save(update_fields=["created_at"])
    first = NoticeFactory(procedure=current, version=1, published_at=now - timedelta(days=7))
    correction = NoticeFactory(procedure=current, version=2, published_at=now - timedelta(days=1))
    NoticeFactory(procedure=current, version=3, published_at=None)  # a draft correction
    closed = ProcedureFactory(ambito=ambito, title="Progetto concluso", status="closed")
    NoticeFactory(procedure=closed, published_at=now - timedelta(days=300))
    cancelled = ProcedureFactory(ambito=ambito, title="Avviso annullato", status="cancelled")
    NoticeFactory(procedure=cancelled, published_at=now - timedelta(days=3))
    return first, correction


def test_rss_dates_each_version_by_its_publication_and_skips_closed_ones(client, ambito, avvisi):
    first, correction = avvisi
    items = _rss(client, ambito)
    assert [i["date"] for i in items] == [correction.published_at, first.published_at]
    assert all("Centro per le famiglie" in i["title"] for i in items)
    assert "Rettifica" in items[0]["title"] and "versione 2" in items[0]["title"]
    assert items[0]["link"].endswith(correction.get_absolute_url())
    assert items[1]["link"].endswith(first.get_absolute_url())


def test_atom_dates_each_version_by_its_publication_and_skips_closed_ones(client, ambito, avvisi):
    first, correction = avvisi
    entries = _atom(client, ambito)
    assert [e["published"] for e in entries] == [correction.published_at, first.published_at]
    assert [e["updated"] for e in entries] == [correction.published_at, first.published_at]
    assert not any("concluso" in e["title"] or "annullato" in e["title"] for e in entries)
    assert entries[0]["published"].astimezone(UTC) > datetime.now(UTC) - timedelta(days=2)
