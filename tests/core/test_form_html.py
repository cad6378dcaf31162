"""core.form_html writes components/forms/form.html and field.html in Python: a form must render
character for character as the templates render it, whatever its state (unbound, valid, with
errors), its fields and their values."""

from __future__ import annotations

import pytest
from allauth.account.forms import LoginForm, ResetPasswordForm, SignupForm
from django import forms
from django.test import RequestFactory
from django.test.signals import template_rendered
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from core import form_html
from core.forms import CheckboxGrid, PortalForm, QuickSelect, RadioGrid

HOSTILE = "a \"quoted\" <b>bold</b> & 'more'"


class Everything(PortalForm):
    error_css_class = "has-error"
    required_css_class = "is-required"

    name = forms.CharField(label=HOSTILE, help_text=HOSTILE, max_length=5)
    lazy = forms.CharField(label=gettext_lazy("Nome"), required=False)
    safe = forms.CharField(label=mark_safe("<em>safe</em>"), help_text=mark_safe("<b>ok</b>"))
    unlabelled = forms.CharField(label="", required=False)
    email = forms.EmailField(required=False, help_text="E-mail")
    agree = forms.BooleanField(label=HOSTILE, help_text=HOSTILE)
    optional_box = forms.BooleanField(required=False)
    pick = forms.ChoiceField(choices=[("", "—"), ("a", HOSTILE)], widget=QuickSelect)
    plain_select = forms.ChoiceField(choices=[("x", "Ics")], required=False)
    text = forms.CharField(widget=forms.Textarea, required=False)
    grid = forms.MultipleChoiceField(choices=[("a", "A"), ("b", HOSTILE)], widget=CheckboxGrid)
    radio = forms.ChoiceField(choices=[("x", "Ics")], widget=RadioGrid, required=False)
    fixed_id = forms.CharField(widget=forms.TextInput(attrs={"id": "mine"}), required=False)
    initial = forms.CharField(show_hidden_initial=True, required=False, initial="x")
    secret = forms.CharField(widget=forms.HiddenInput, required=False)
    token = forms.CharField(widget=forms.HiddenInput, max_length=2, required=False)


VALID = {"name": "abc", "safe": "s", "agree": "on", "pick": "a", "grid": ["a"]}
INVALID = {"name": HOSTILE, "email": "no", "pick": "zz", "token": "abcdef"}


@pytest.fixture
def templates_only(monkeypatch):
    """Render through the templates: the reference."""

    def render(build):
        with monkeypatch.context() as patch:
            patch.setattr(form_html, "form_html", lambda context: None)
            patch.setattr(form_html, "field_html", lambda field: None)
            return str(build())

    return render


def assert_same(build, templates_only):
    fast = str(build())
    assert fast == templates_only(build)
    return fast


@pytest.mark.parametrize("data", [None, VALID, INVALID, {}])
@pytest.mark.parametrize("options", [{}, {"auto_id": False}, {"prefix": "p", "auto_id": "x_%s"}])
def test_a_form_renders_as_the_templates_render_it(data, options, templates_only):
    html = assert_same(lambda: Everything(data, **options), templates_only)
    assert "<b>ok</b>" in html and "&lt;b&gt;bold&lt;/b&gt;" in html


@pytest.mark.parametrize("data", [None, VALID, INVALID])
def test_each_field_group_renders_as_the_template_renders_it(data, templates_only):
    for name in Everything.base_fields:
        assert_same(lambda name=name: Everything(data)[name].as_field_group(), templates_only)


def test_a_form_without_required_fields_has_no_note():
    class Optional(PortalForm):
        q = forms.CharField(required=False)

    html = str(Optional())
    assert "obbligatori" not in html
    assert html.startswith('<div class="form-group mb-4">')


@pytest.mark.django_db
@pytest.mark.parametrize("data", [None, {"login": "a@b.it", "password": "x"}, {"login": "x"}])
def test_allauth_forms_render_as_the_templates_render_them(data, templates_only):
    request = RequestFactory().get("/")
    assert_same(lambda: LoginForm(data, request=request), templates_only)
    assert_same(lambda: ResetPasswordForm(data), templates_only)
    assert_same(lambda: SignupForm(data), templates_only)


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{}, {"q": HOSTILE, "forma": "odv"}, {"forma": "nope"}])
def test_the_directory_filters_render_as_the_templates_render_them(query, rf, templates_only):
    from entities.filters import DirectoryFilter
    from entities.models import Entity

    request = rf.get("/enti/", query)
    assert_same(
        lambda: DirectoryFilter(query or None, queryset=Entity.objects.all(), request=request).form,
        templates_only,
    )


def test_a_form_without_errors_renders_no_template():
    rendered = []

    def listen(sender, template, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(listen)
    try:
        html = str(Everything(VALID))
    finally:
        template_rendered.disconnect(listen)
    assert 'name="name"' in html
    # only the fieldsets (grid, radio) and the widgets Django renders with templates
    assert "components/forms/form.html" not in rendered
    assert rendered.count("components/forms/field.html") == 2
