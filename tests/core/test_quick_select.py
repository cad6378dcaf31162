from types import SimpleNamespace

import pytest
from django import forms
from django.core.paginator import Paginator
from django.utils.translation import gettext_lazy

from core.forms import FrozenChoices, QuickSelect
from core.templatetags.portal import page_window

CHOICES = [
    ("", "Tutti"),
    ("a", "Alfa & <Beta>"),
    (3, gettext_lazy("Sezione")),
    ("Gruppo", [("g1", "Uno"), ("g2", 'Due "virgolette"')]),
]


@pytest.mark.parametrize("value", [None, "", "a", "3", "g2", "<x>"])
@pytest.mark.parametrize(
    "attrs",
    [
        None,
        {"class": "form-select", "aria-describedby": "id_x-help"},
        {"required": True, "disabled": False, "data-x": 'a"b'},
    ],
)
def test_quick_select_renders_what_django_select_renders(value, attrs):
    django_html = forms.Select(attrs=attrs, choices=CHOICES).render("campo", value, {"id": "id_x"})
    quick_html = QuickSelect(attrs=attrs, choices=CHOICES).render("campo", value, {"id": "id_x"})
    assert quick_html == django_html


@pytest.mark.parametrize(
    ("number", "last", "window"),
    [
        (1, 1, [1]),
        (1, 4, [1, 2, 3, 4]),
        (5, 10, [1, 2, 3, 4, 5, 6, 7, 9, 10]),
        (1, 2250, [1, 2, 3, 2249, 2250]),
        (1125, 2250, [1, 2, 1123, 1124, 1125, 1126, 1127, 2249, 2250]),
    ],
)
def test_page_window_holds_only_the_pages_the_pagination_shows(number, last, window):
    page = SimpleNamespace(number=number, paginator=SimpleNamespace(num_pages=last))
    assert page_window(page) == window


def test_page_window_of_a_django_page():
    page = Paginator(range(10_000 * 20), 20).get_page(5_000)
    assert page_window(page) == [1, 2, 4_998, 4_999, 5_000, 5_001, 5_002, 9_999, 10_000]


def test_frozen_choices_are_shared_not_copied_by_each_form():
    comuni = FrozenChoices([(f"{n:06d}", f"Comune {n}") for n in range(700)])

    class Form(forms.Form):
        comune = forms.ChoiceField(choices=comuni, widget=QuickSelect)

    form = Form({"comune": "000699"})
    assert form.fields["comune"].choices is comuni
    assert form.is_valid() and not Form({"comune": "x"}).is_valid()
    assert '<option value="000699" selected>Comune 699</option>' in str(form["comune"])
