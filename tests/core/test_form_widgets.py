"""core.forms.PortalFormRenderer writes <input> widgets and choice options in Python: the markup
must be Django's templates', character for character, whatever the values."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.safestring import mark_safe

from core.forms import PortalFormRenderer

HOSTILE = "a \"quoted\" <b>bold</b> & 'more'"


class Everything(forms.Form):
    text = forms.CharField(widget=forms.TextInput(attrs={"placeholder": HOSTILE, "data-x": True}))
    email = forms.EmailField()
    number = forms.IntegerField()
    url = forms.URLField()
    password = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(widget=forms.HiddenInput)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField()
    when = forms.DateTimeField()
    agree = forms.BooleanField(required=False)
    many = forms.MultipleChoiceField(
        choices=[("a", HOSTILE), ("b", mark_safe("<em>safe</em>")), ("", "empty")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    one = forms.ChoiceField(
        choices=[("x", "Ics"), ("y", HOSTILE)], widget=forms.RadioSelect, required=False
    )


@pytest.mark.parametrize(
    "data",
    [
        None,
        {
            "text": HOSTILE,
            "email": "a@b.it",
            "number": "12",
            "url": "javascript:alert(1)",
            "password": HOSTILE,
            "hidden": HOSTILE,
            "date": "2026-12-05",
            "time": "10:00",
            "when": "2026-12-05 10:00",
            "agree": "on",
            "many": ["a", "b"],
            "one": "y",
        },
    ],
)
def test_inputs_and_options_render_as_djangos_templates(data):
    templates = TemplatesSetting()
    for name in Everything.base_fields:
        fast = Everything(data, renderer=PortalFormRenderer())[name]
        slow = Everything(data, renderer=templates)[name]
        assert str(fast.as_widget()) == str(slow.as_widget()), name
        for fast_choice, slow_choice in zip(fast, slow, strict=True):
            assert str(fast_choice.tag()) == str(slow_choice.tag()), name
            assert str(fast_choice) == str(slow_choice), name
