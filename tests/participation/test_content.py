from __future__ import annotations

import io

import pytest
from defusedxml import ElementTree
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from core.models import AuditEvent
from participation.models import LibraryItem, News
from tests.factories.participation import LibraryItemFactory, NewsFactory, ProcedureFactory
from tests.factories.processes import NoticeFactory

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, format="PNG")
    return out.getvalue()


# --- news -----------------------------------------------------------------------------------
def test_staff_publish_news_with_sanitised_body_and_image(client_for, staff_user, ambito):
    response = client_for(staff_user).post(
        reverse("participation:news_create"),
        {
            "ambito": ambito.pk,
            "title": "Partono i tavoli",
            "summary": "Quattro tavoli.",
            "body": '<p onclick="x()">Ciao <script>alert(1)</script><strong>tutti</strong></p>',
            "image": SimpleUploadedFile("foto.png", png_bytes(), content_type="image/png"),
            "image_alt": "La sala",
            "publish": "on",
        },
    )
    assert response.status_code == 302
    news = News.objects.get()
    assert news.is_published
    assert (
        "<script" not in news.body
        and "onclick" not in news.body
        and "<strong>tutti</strong>" in news.body
    )
    assert news.image.name.endswith(".png")
    assert AuditEvent.objects.filter(action="participation.news.created").exists()


def test_image_without_description_refused(client_for, staff_user, ambito):
    response = client_for(staff_user).post(
        reverse("participation:news_create"),
        {
            "ambito": ambito.pk,
            "title": "T",
            "summary": "S",
            "body": "<p>x</p>",
            "image": SimpleUploadedFile("f.png", png_bytes()),
        },
    )
    assert response.status_code == 200 and "Descrivi l&#x27;immagine" in response.content.decode()
    assert not News.objects.exists()


def test_fake_image_refused(client_for, staff_user, ambito):
    response = client_for(staff_user).post(
        reverse("participation:news_create"),
        {
            "ambito": ambito.pk,
            "title": "T",
            "summary": "S",
            "body": "x",
            "image": SimpleUploadedFile("f.png", b"GIF89a....."),
            "image_alt": "x",
        },
    )
    assert response.status_code == 200
    assert not News.objects.exists()


def test_staff_cannot_publish_for_another_ambito(client_for, staff_user, other_ambito):
    response = client_for(staff_user).post(
        reverse("participation:news_create"),
        {"ambito": other_ambito.pk, "title": "T", "summary": "S", "body": "x"},
    )
    assert response.status_code == 200  # the choice is not offered
    assert not News.objects.exists()


@pytest.mark.parametrize(
    "who, expected",
    [("no_role_user", 403), ("comune_user", 403), ("entity_admin", 403), ("staff_user", 200)],
)
def test_news_create_per_role(request, client_for, who, expected):
    assert (
        client_for(request.getfixturevalue(who))
        .get(reverse("participation:news_create"))
        .status_code
        == expected
    )


@pytest.mark.parametrize(
    "who, expected", [("other_staff", 403), ("comune_user", 403), ("staff_user", 200)]
)
def test_news_edit_per_role_and_drafts_hidden(request, client, client_for, ambito, who, expected):
    published = NewsFactory(ambito=ambito)
    draft = NewsFactory(ambito=ambito, published_at=None)
    assert (
        client.get(reverse("participation:news_detail", kwargs={"pk": draft.pk})).status_code == 404
    )
    user = request.getfixturevalue(who)
    assert (
        client_for(user)
        .get(reverse("participation:news_edit", kwargs={"pk": published.pk}))
        .status_code
        == expected
    )


def test_news_list_queries_constant(client, ambito, django_assert_max_num_queries):
    NewsFactory.create_batch(5, ambito=ambito)
    with django_assert_max_num_queries(25) as small:
        client.get(reverse("participation:news_list"))
    NewsFactory.create_batch(15, ambito=ambito)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("participation:news_list"))


# --- library --------------------------------------------------------------------------------
def test_staff_add_library_item_with_tags(client_for, staff_user, ambito):
    response = client_for(staff_user).post(
        reverse("participation:library_create"),
        {
            "ambito": ambito.pk,
            "kind": "regulation",
            "level": "ambito",
            "title": "Regolamento per l'amministrazione condivisa",
            "description": "Approvato dal Comitato dei Sindaci.",
            "url": "https://example.org/regolamento.pdf",
            "tag_names": "Regolamento, trasparenza, regolamento",
            "is_regolamento": "on",
            "publish": "on",
        },
    )
    assert response.status_code == 302
    item = LibraryItem.objects.get()
    assert sorted(t.slug for t in item.tags.all()) == ["regolamento", "trasparenza"]


def test_library_needs_file_or_link_and_level_for_regulations(client_for, staff_user, ambito):
    response = client_for(staff_user).post(
        reverse("participation:library_create"),
        {"ambito": ambito.pk, "kind": "regulation", "title": "Legge", "description": "x"},
    )
    body = response.content.decode()
    assert "Allega un documento o indica un collegamento" in body and "nazionale, regionale" in body


def test_library_search_and_filters(client, ambito):
    a = LibraryItemFactory(ambito=ambito, title="Emporio solidale di Fano", kind="good_practice")
    b = LibraryItemFactory(
        ambito=ambito, title="Codice del Terzo settore", kind="regulation", level="national"
    )
    LibraryItemFactory(ambito=ambito, title="Bozza nascosta", published_at=None)
    url = reverse("participation:library")

    def titles(**params):
        return [i.title for i in client.get(url, params).context["page_obj"]]

    assert set(titles()) == {a.title, b.title}
    assert titles(q="emporio") == [a.title]
    assert titles(kind="regulation", level="national") == [b.title]
    assert titles(q="bozza") == []


def test_library_list_queries_constant(client, ambito, django_assert_max_num_queries):
    LibraryItemFactory.create_batch(5, ambito=ambito)
    with django_assert_max_num_queries(25) as small:
        client.get(reverse("participation:library"))
    LibraryItemFactory.create_batch(15, ambito=ambito)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("participation:library"))


def test_ambito_page_shows_regolamento_and_principles(client, ambito):
    from participation.models import Principle

    LibraryItemFactory(
        ambito=ambito,
        title="Regolamento ATS",
        kind="regulation",
        level="ambito",
        is_regolamento=True,
    )
    Principle.objects.create(
        ambito=ambito, title="Pubblicità e trasparenza", text="Tutto è pubblico."
    )
    body = client.get(
        reverse("participation:ambito_charter", kwargs={"code": ambito.code})
    ).content.decode()
    assert "Regolamento ATS" in body and "Pubblicità e trasparenza" in body
    assert (
        client.get(reverse("participation:ambito_charter", kwargs={"code": "nessuno"})).status_code
        == 404
    )


# --- feeds ----------------------------------------------------------------------------------
def test_news_feeds_are_valid_xml(client, ambito):
    NewsFactory(ambito=ambito, title="Notizia & risultati")
    NewsFactory(ambito=ambito, title="Bozza", published_at=None)
    rss = ElementTree.fromstring(client.get(reverse("participation:news_feed")).content)
    assert [i.findtext("title") for i in rss.iter("item")] == ["Notizia & risultati"]
    atom = ElementTree.fromstring(client.get(reverse("participation:news_feed_atom")).content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert [e.findtext("a:title", namespaces=ns) for e in atom.findall("a:entry", ns)] == [
        "Notizia & risultati"
    ]


def test_avvisi_feed_lists_only_published_procedures(client, ambito, other_ambito):
    published = ProcedureFactory(
        ambito=ambito, title="Centro per le famiglie", status="notice_published"
    )
    NoticeFactory(procedure=published, published_at=timezone.now())
    draft = ProcedureFactory(ambito=ambito, title="In preparazione", status="started")
    NoticeFactory(procedure=draft, published_at=None)
    other = ProcedureFactory(ambito=other_ambito, title="Altro ambito", status="notice_published")
    NoticeFactory(procedure=other, published_at=timezone.now())
    rss = ElementTree.fromstring(
        client.get(reverse("participation:avvisi_feed") + f"?ambito={ambito.code}").content
    )
    titles = [i.findtext("title") for i in rss.iter("item")]
    assert len(titles) == 1 and "Centro per le famiglie" in titles[0]
    atom = client.get(reverse("participation:avvisi_feed_atom"))
    assert atom["Content-Type"].startswith("application/atom+xml")
    ElementTree.fromstring(atom.content)


@pytest.mark.parametrize(
    "who, expected",
    [("no_role_user", 403), ("comune_user", 403), ("other_staff", 403), ("staff_user", 200)],
)
def test_principles_edit_per_role(request, client_for, ambito, who, expected):
    url = reverse("participation:principles_edit", kwargs={"code": ambito.code})
    assert client_for(request.getfixturevalue(who)).get(url).status_code == expected


def test_staff_edit_principles(client_for, staff_user, ambito):
    from participation.models import Principle

    url = reverse("participation:principles_edit", kwargs={"code": ambito.code})
    data = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "0",
        "form-0-order": "1",
        "form-0-title": "Fiducia reciproca",
        "form-0-text": "Collaborare in buona fede.",
        "form-1-order": "0",
        "form-1-title": "",
        "form-1-text": "",
    }
    assert client_for(staff_user).post(url, data).status_code == 302
    assert list(Principle.objects.filter(ambito=ambito).values_list("title", flat=True)) == [
        "Fiducia reciproca"
    ]
    assert AuditEvent.objects.filter(action="participation.principles.updated").exists()
