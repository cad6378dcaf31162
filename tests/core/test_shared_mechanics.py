"""The mechanics every app shares (core): downloads, query strings, form errors, per-user caches,
the abstract attachment, status badges, breadcrumbs, the bar chart and the form page."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import Http404
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory

from core import badges, charts, usercache
from core.forms import PortalForm, add_service_errors, flash_errors, form_action
from core.http import file_response, page_prefix, query_without_page
from core.models import AttachmentBase, attachment_upload_to
from core.storage import private_storage


def _render(source: str, **context) -> str:
    return Template("{% load portal %}" + source).render(Context(context))


# --- downloads -------------------------------------------------------------------------------
class _File:
    """A FieldFile's surface: truthy when it names a file, open() reads the storage."""

    def __init__(self, name: str):
        self.name = name

    def __bool__(self) -> bool:
        return bool(self.name)

    def open(self, mode="rb"):
        return private_storage().open(self.name, mode)


def test_file_response_serves_the_stored_bytes_under_the_basename(settings):
    name = private_storage().save("tests/mechanics/verbale.pdf", ContentFile(b"%PDF-1.7 body"))
    response = file_response(_File(name))
    assert b"".join(response.streaming_content) == b"%PDF-1.7 body"
    assert response["Content-Disposition"] == 'attachment; filename="verbale.pdf"'


def test_file_response_takes_a_filename_a_type_and_inline():
    name = private_storage().save("tests/mechanics/x.bin", ContentFile(b"abc"))
    response = file_response(
        _File(name), filename="Verbale 3.pdf", content_type="application/pdf", inline=True
    )
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert "Verbale 3.pdf" in response["Content-Disposition"]


@pytest.mark.parametrize("name", ["", "tests/mechanics/gone.pdf"])
def test_file_response_answers_404_for_a_missing_file_never_500(name):
    with pytest.raises(Http404):
        file_response(_File(name))


# --- query strings ---------------------------------------------------------------------------
def test_query_without_page_keeps_the_filters_and_drops_the_page():
    request = RequestFactory().get("/x", {"q": "anziani", "page": "3", "ambito": "ats-1"})
    assert query_without_page(request) == "q=anziani&ambito=ats-1"
    assert page_prefix(request) == "q=anziani&ambito=ats-1&"


def test_page_prefix_is_empty_without_filters():
    request = RequestFactory().get("/x", {"page": "2"})
    assert query_without_page(request) == ""
    assert page_prefix(request) == ""


# --- form errors -----------------------------------------------------------------------------
class _NameForm(PortalForm):
    name = forms.CharField(required=False)


def test_service_errors_go_next_to_their_field_or_on_top():
    form = _NameForm(data={"name": "x"})
    assert form.is_valid()
    add_service_errors(form, ValidationError({"name": "Nome già usato.", "other": "Altro."}))
    assert form.errors["name"] == ["Nome già usato."]
    assert form.non_field_errors() == ["Altro."]


def test_a_plain_service_error_goes_on_top_of_the_form():
    form = _NameForm(data={})
    form.is_valid()
    add_service_errors(form, ValidationError(["Primo.", "Secondo."]))
    assert form.non_field_errors() == ["Primo.", "Secondo."]


def test_flash_errors_adds_one_message_each():
    request = RequestFactory().post("/x")
    request.session = {}
    request._messages = FallbackStorage(request)
    flash_errors(request, ValidationError({"a": "Uno.", "b": ["Due."]}))
    assert sorted(str(m) for m in get_messages(request)) == ["Due.", "Uno."]


def _posted(data: dict | None):
    request = (
        RequestFactory().post("/x", data or {}) if data is not None else RequestFactory().get("/x")
    )
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_form_action_runs_the_service_says_so_and_redirects_to_its_result():
    request = _posted({"name": "Anna"})
    form = _NameForm(data=request.POST)
    answer = form_action(
        request,
        form,
        lambda data: data["name"].lower(),
        success=lambda name: f"Creato {name}.",
        redirect_to=lambda name: f"/persone/{name}/",
    )
    assert answer is not None and answer["Location"] == "/persone/anna/"
    assert [str(m) for m in get_messages(request)] == ["Creato anna."]


def test_form_action_puts_the_service_error_on_the_form_and_shows_the_page_again():
    request = _posted({"name": "Anna"})
    form = _NameForm(data=request.POST)

    def refuse(data):
        raise ValidationError({"name": "Nome già usato."})

    assert form_action(request, form, refuse, success="Mai.", redirect_to="/") is None
    assert form.errors["name"] == ["Nome già usato."]
    assert list(get_messages(request)) == []


class _RequiredNameForm(PortalForm):
    name = forms.CharField()


def test_form_action_does_nothing_on_a_get_or_an_invalid_form():
    called = []
    for request, form in (
        (_posted(None), _NameForm()),
        (_posted({}), _RequiredNameForm(data={})),
    ):
        assert form_action(request, form, called.append, success="Mai.", redirect_to="/") is None
    assert called == []


# --- per-user caches -------------------------------------------------------------------------
class _User:
    is_authenticated = True


def test_cached_computes_once_per_user_and_forget_drops_it():
    user, calls = _User(), []
    compute = lambda: calls.append(1) or {1, 2}  # noqa: E731
    assert usercache.cached(user, "k", compute) == {1, 2}
    assert usercache.cached(user, "k", compute) == {1, 2}
    assert len(calls) == 1
    usercache.forget(user, "k")
    usercache.cached(user, "k", compute)
    assert len(calls) == 2
    usercache.remember(user, "other", [3])
    usercache.forget(user)
    assert usercache.cached(user, "other", list) == []


def test_per_user_answers_anonymous_without_computing():
    calls = []

    @usercache.per_user("tests.ids", anonymous=set)
    def ids(user):
        calls.append(user)
        return {7}

    user = _User()
    assert ids(AnonymousUser()) == set()
    assert ids(user) == {7} and ids(user) == {7}
    assert len(calls) == 1
    usercache.remember(user, ids.cache_key, {8})
    assert ids(user) == {8}


# --- the abstract attachment -----------------------------------------------------------------
def test_attachment_base_is_abstract():
    assert AttachmentBase._meta.abstract
    names = {f.name for f in AttachmentBase._meta.fields}
    assert {"file", "uploaded_by", "uploaded_at"} <= names


class _Note:
    """What attachment_upload_to and filename read of a concrete attachment."""

    def upload_folder(self) -> str:
        return "notes/4"


def test_a_concrete_attachment_names_its_folder_and_its_file():
    assert attachment_upload_to(_Note(), "../Verbale finale.pdf") == "notes/4/Verbale_finale.pdf"
    file_field = AttachmentBase._meta.get_field("file")
    assert file_field.upload_to is attachment_upload_to
    assert file_field._storage_callable is private_storage
    assert AttachmentBase._meta.ordering == ["uploaded_at", "pk"]
    assert AttachmentBase.filename.fget(type("Row", (), {"file": _File("a/b/c.pdf")})()) == "c.pdf"


# --- status badges ---------------------------------------------------------------------------
class _Row:
    status = "verified"

    def get_status_display(self):
        return "Verificato"


def test_status_badge_reads_the_object_or_the_explicit_values():
    assert _render("{% status_badge row %}", row=_Row()) == (
        '<span class="badge bg-success">Verificato</span>'
    )
    assert _render("{% status_badge label=text tone='danger' %}", text="<b>x</b>") == (
        '<span class="badge bg-danger">&lt;b&gt;x&lt;/b&gt;</span>'
    )
    assert badges.badge("Bozza", "purple") == '<span class="badge bg-secondary">Bozza</span>'


def test_an_object_tone_wins_over_the_default_table():
    row = _Row()
    row.status_tone = "warning"
    row.status_label = "In verifica"
    assert badges.status_badge(row) == '<span class="badge bg-warning">In verifica</span>'
    assert badges.tone_for("submitted") == "primary"
    assert badges.tone_for("submitted", {"submitted": "danger"}) == "danger"
    assert _render("{{ s|status_tone }}", s="cancelled") == "secondary"


def test_the_status_badge_component_renders_the_same_markup():
    html = render_to_string(
        "components/status_badge.html", {"label": "Chiuso", "tone": "secondary"}
    )
    assert html.strip() == '<span class="badge bg-secondary">Chiuso</span>'


# --- breadcrumbs -----------------------------------------------------------------------------
def _crumb_texts(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", li).replace("/", "").strip()
        for li in re.findall(r"<li.*?</li>", html, re.S)
    ]


def test_breadcrumbs_from_pairs_or_from_a_list():
    html = _render('{% breadcrumbs "Eventi" "/eventi/" "Festa" %}')
    assert _crumb_texts(html) == ["Home", "Eventi", "Festa"]
    assert '<a href="/eventi/">Eventi</a>' in html
    assert 'aria-current="page">Festa</li>' in html
    same = _render("{% breadcrumbs crumbs %}", crumbs=[("Eventi", "/eventi/"), ("Festa", "")])
    assert same == html
    assert _render("{% breadcrumbs crumbs %}", crumbs=None).strip() == ""


# --- the bar chart ---------------------------------------------------------------------------
def test_bar_rows_scale_to_the_largest_value_or_to_each_total():
    rows = charts.bar_rows([("Alfa", 10), ("Beta", 5, "5 domande")])
    assert [r["percent"] for r in rows] == [100.0, 50.0]
    assert [r["display"] for r in rows] == ["10", "5 domande"]
    assert rows[1]["width"] == charts.BAR_SPAN // 2
    seats = charts.bar_rows([{"label": "Sessione 1", "value": 3, "total": 12, "display": "3/12"}])
    assert seats[0]["percent"] == 25.0 and seats[0]["track"]


def test_bar_chart_is_an_accessible_svg_with_every_number():
    html = _render(
        '{% bar_chart rows title="Risorse per fonte" chart_id="by-fund" euro=True %}',
        rows=[("FNPS", 1500), ("Comuni", 0)],
    )
    assert 'role="img" aria-labelledby="by-fund-title"' in html
    assert (
        '<title id="by-fund-title">Risorse per fonte: FNPS: 1.500,00\u00a0€; Comuni: 0,00\u00a0€</title>'
        in html
    )
    assert '<figcaption class="fw-semibold">Risorse per fonte</figcaption>' in html
    assert html.count("<rect") == 2


def test_bar_chart_without_rows_still_renders():
    html = charts.bar_chart([], title="Vuoto")
    assert "<svg" in html and "<rect" not in html


# --- the form page ---------------------------------------------------------------------------
class _UploadForm(PortalForm):
    name = forms.CharField(label="Nome")
    file = forms.FileField(label="File", required=False)


def test_form_page_renders_heading_crumbs_form_and_buttons(rf, db):
    request = rf.get("/x")
    html = render_to_string(
        "core/form_page.html",
        {
            "form": _UploadForm(),
            "heading": "Nuova notizia",
            "crumbs": [("Notizie", "/notizie/"), ("Nuova notizia", "")],
            "cancel_url": "/notizie/",
            "submit_label": "Pubblica",
        },
        request=request,
    )
    assert '<h1 class="mb-4">Nuova notizia</h1>' in html
    assert 'enctype="multipart/form-data"' in html
    assert '<a href="/notizie/">Notizie</a>' in html
    assert ">Pubblica</button>" in html
    assert '<a class="btn btn-outline-secondary" href="/notizie/">Annulla</a>' in html
    assert 'name="name"' in html
