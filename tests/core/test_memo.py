"""{% memo %}: a fragment kept per distinct content is the same HTML as without the tag, and
another content (or language, or URL prefix) is rendered again."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import set_script_prefix
from django.utils import translation

from core.templatetags import memo
from tests.factories.entities import EntityFactory

pytestmark = pytest.mark.django_db

ROW = "{% load memo %}{% memo row %}<b>{{ row.name }}</b> {{ row.tags|join:',' }}{% endmemo %}"


@pytest.fixture(autouse=True)
def empty_store():
    memo.clear()
    yield
    memo.clear()


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_the_same_content_is_rendered_once_and_kept():
    template = Template(ROW)
    row = {"name": "Alfa", "tags": ["a", "b"]}
    assert template.render(Context({"row": row})) == "<b>Alfa</b> a,b"
    assert len(memo._store) == 1
    assert template.render(Context({"row": dict(row)})) == "<b>Alfa</b> a,b"
    assert len(memo._store) == 1


def test_any_change_of_a_value_renders_again():
    template = Template(ROW)
    assert template.render(Context({"row": {"name": "Alfa", "tags": ["a"]}})) == "<b>Alfa</b> a"
    assert template.render(Context({"row": {"name": "Alfa", "tags": ["b"]}})) == "<b>Alfa</b> b"
    assert template.render(Context({"row": {"name": "<Beta>", "tags": []}})) == (
        "<b>&lt;Beta&gt;</b> "
    )


def test_a_model_row_stands_for_its_fields_and_annotations():
    template = Template("{% load memo %}{% memo e %}{{ e.name }} {{ e.extra }}{% endmemo %}")
    entity = EntityFactory(name="Cooperativa Uno")
    entity.extra = 1
    assert template.render(Context({"e": entity})) == "Cooperativa Uno 1"
    entity.name = "Cooperativa Due"
    assert template.render(Context({"e": entity})) == "Cooperativa Due 1"
    entity.extra = 2
    assert template.render(Context({"e": entity})) == "Cooperativa Due 2"


def test_language_and_url_prefix_are_part_of_the_key():
    template = Template(
        "{% load i18n memo %}{% memo 1 %}{% translate 'Italiano' %} {% url 'core:home' %}"
        "{% endmemo %}"
    )
    first = template.render(Context())
    with translation.override("en"):
        english = template.render(Context())
    set_script_prefix("/ats01/")
    try:
        prefixed = template.render(Context())
    finally:
        set_script_prefix("/")
    assert first == english == "Italiano /"  # the portal has no English catalogue yet
    assert prefixed == "Italiano /ats01/"
    assert len(memo._store) == 3  # one fragment per language and per prefix


def test_a_value_without_a_key_renders_every_time():
    template = Template("{% load memo %}{% memo thing %}{{ thing.n }}{% endmemo %}")

    class Thing:
        def __init__(self, n):
            self.n = n

    assert template.render(Context({"thing": Thing(1)})) == "1"
    assert template.render(Context({"thing": Thing(2)})) == "2"
    assert memo._store == {}


def test_the_store_is_bounded(monkeypatch):
    monkeypatch.setattr(memo, "MAX_ENTRIES", 8)
    template = Template("{% load memo %}{% memo n %}{{ n }}{% endmemo %}")
    for n in range(30):
        assert template.render(Context({"n": n})) == str(n)
    assert len(memo._store) <= 8


def test_the_fragment_reads_only_the_values_named_in_the_tag():
    """The viewer, their permissions and the CSRF token are not in the key: a fragment cannot
    show them, so it can never show one visitor's data to another."""
    template = Template(
        "{% load memo %}{% memo row %}{{ row }}|{{ user }}|{{ can_edit }}|{{ csrf_token }}"
        "{% endmemo %}"
    )
    seen = template.render(
        Context({"row": "r", "user": "alice", "can_edit": True, "csrf_token": "t"})
    )
    assert seen == "r|||"
    # the right to edit, named in the tag, is in the key: each viewer sees their own
    rights = Template(
        "{% load memo %}{% memo row can_edit %}{{ row }}{% if can_edit %} edit{% endif %}{% endmemo %}"
    )
    assert rights.render(Context({"row": "r", "can_edit": True})) == "r edit"
    assert rights.render(Context({"row": "r", "can_edit": False})) == "r"


def test_a_fragment_that_queries_is_not_kept_and_shows_the_current_data():
    """A relation loaded lazily is not in the key: the fragment is rendered every time."""
    template = Template("{% load memo %}{% memo e %}{{ e.seat_comune.name }}{% endmemo %}")
    entity = EntityFactory()
    comune = entity.seat_comune
    fresh = type(entity).objects.get(pk=entity.pk)  # the comune not loaded
    assert template.render(Context({"e": fresh})) == comune.name
    assert memo._store == {}
    type(comune).objects.filter(pk=comune.pk).update(name="Nuovo nome")
    fresh = type(entity).objects.get(pk=entity.pk)
    assert template.render(Context({"e": fresh})) == "Nuovo nome"
    joined = type(entity).objects.select_related("seat_comune").get(pk=entity.pk)
    assert template.render(Context({"e": joined})) == "Nuovo nome"
    assert len(memo._store) == 1  # joined, the comune is in the key


def test_key_parts_of_other_layers_and_settings(settings):
    place = {"code": "ats01"}
    part = lambda: place["code"]  # noqa: E731
    memo.add_key_part(part)
    try:
        template = Template("{% load memo %}{% memo 1 %}{{ 1 }}{% endmemo %}")
        template.render(Context())
        place["code"] = "ats02"
        template.render(Context())
        assert len(memo._store) == 2
    finally:
        memo._key_parts.remove(part)
    settings.USE_THOUSAND_SEPARATOR = True  # a change of settings empties the store
    assert memo._store == {}


def test_the_store_is_bounded_in_characters(monkeypatch):
    monkeypatch.setattr(memo, "MAX_CHARS", 100)
    template = Template("{% load memo %}{% memo n pad %}{{ n }}{{ pad }}{% endmemo %}")
    for n in range(30):
        template.render(Context({"n": n, "pad": "x" * 30}))
    assert 0 < memo._chars == sum(len(html) for html in memo._store.values()) <= 100


def test_values_equal_as_python_keys_but_rendered_differently_are_kept_apart():
    from decimal import Decimal

    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext_lazy

    template = Template("{% load memo %}{% memo v %}{{ v }}{% endmemo %}")
    values = [1, True, 1.0, Decimal("1.0"), "1", "<b>", mark_safe("<b>"), gettext_lazy("Tutti")]
    seen = [template.render(Context({"v": v})) for v in values]
    assert seen == ["1", "True", "1,0", "1,0", "1", "&lt;b&gt;", "<b>", "Tutti"]
    assert len(memo._store) == len(values)


def test_dataclass_rows_are_keyed_by_their_fields_even_a_local_class():
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Local:  # pickle cannot name it: its key is the repr
        name: str
        count: int

    template = Template("{% load memo %}{% memo row %}{{ row.name }} {{ row.count }}{% endmemo %}")
    assert template.render(Context({"row": Local("Alfa", 1)})) == "Alfa 1"
    assert template.render(Context({"row": Local("Alfa", 1)})) == "Alfa 1"
    assert len(memo._store) == 1
    assert template.render(Context({"row": Local("Alfa", True)})) == "Alfa True"
    assert template.render(Context({"row": Local("Beta", 1)})) == "Beta 1"
    assert len(memo._store) == 3


def test_remembered_html_is_kept_by_name_and_values_unless_it_queries():
    """memo.remembered: HTML a view builds in Python, kept as a fragment is."""
    from django.utils.safestring import SafeString

    from core.models import User

    calls = []

    def form(value):
        def render():
            calls.append(value)
            return SafeString(f"<p>{value}</p>")

        return render

    assert memo.remembered("form", [["a"]], form("a")) == "<p>a</p>"
    assert memo.remembered("form", [["a"]], form("a")) == "<p>a</p>"
    assert memo.remembered("form", [["b"]], form("b")) == "<p>b</p>"
    assert memo.remembered("other form", [["a"]], form("other")) == "<p>other</p>"
    assert calls == ["a", "b", "other"]
    with translation.override("en"):
        memo.remembered("form", [["a"]], form("a in English"))
    assert calls[-1] == "a in English"

    def querying():
        return SafeString(f"<p>{User.objects.count()}</p>")

    assert memo.remembered("counted", [], querying) == "<p>0</p>"
    EntityFactory()  # adds a user or not: the count is read again, never kept
    assert memo.remembered("counted", [], querying) == f"<p>{User.objects.count()}</p>"
    assert len(memo._store) == 4
