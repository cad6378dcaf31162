import re

from django import forms

from core.forms import CheckboxGrid, PortalForm, RadioGrid


class ChoicesForm(PortalForm):
    plain = forms.MultipleChoiceField(
        choices=[("a", "Alfa"), ("b", "Beta")], widget=forms.CheckboxSelectMultiple
    )
    grid = forms.ChoiceField(choices=[("x", "Ics"), ("y", "Ipsilon")], widget=RadioGrid)
    wide = forms.MultipleChoiceField(
        choices=[("1", "Uno")], widget=CheckboxGrid(column_class="col-12")
    )


def _compact(html: str) -> str:
    return re.sub(r">\s+<", "><", html)


def test_every_choice_group_renders_input_then_label_in_columns():
    html = _compact(str(ChoicesForm()))
    # Input first, then its label, inside a form-check inside a column.
    assert (
        '<div class="col-sm-6 col-lg-4"><div class="form-check my-1"><input type="checkbox" '
        in html
    )
    assert re.search(r'id="id_plain_0"[^>]*><label for="id_plain_0">Alfa</label>', html)
    assert re.search(r'type="radio"[^>]*id="id_grid_1"[^>]*><label for="id_grid_1">Ipsilon', html)
    assert '<div class="col-12"><div class="form-check my-1"><input type="checkbox"' in html
    assert html.count("<fieldset") == 3


def test_grid_widget_renders_columns_on_its_own():
    html = _compact(str(ChoicesForm()["wide"]))
    assert '<div class="col-12"><div class="form-check my-1"><input' in html
    assert '<label for="id_wide_0">Uno</label>' in html
