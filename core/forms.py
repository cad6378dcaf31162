"""Form rendering shared by every app: Bootstrap Italia markup, errors next to each field."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.renderers import TemplatesSetting
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.choices import BaseChoiceIterator
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from core import form_html
from core.sanitize import clean_html

# A line break of any kind (those str.splitlines() knows) with the blanks around it.
_LINE_BREAK = re.compile(r"\s*[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]\s*")


def single_line(text: str) -> str:
    """`text` on one line: each line break, with the blanks around it, becomes one space. For
    values that live on one line (names, titles, e-mail subjects, calendar fields): a line break
    there breaks e-mail headers and calendar files, and no single-line input can type one."""
    return _LINE_BREAK.sub(" ", text)


class PortalFormRenderer(TemplatesSetting):
    """Renders every form with Bootstrap Italia markup, forms of third-party apps (allauth)
    included: widgets get their classes and aria attributes when the form is rendered. The
    form and field templates, and the <input> ones, are written in Python (core.form_html and
    below) for what they cover: the same markup without a template render per field."""

    form_template_name = "components/forms/form.html"
    field_template_name = "components/forms/field.html"

    def render(self, template_name, context, request=None):
        form = context.get("form")
        if isinstance(form, forms.BaseForm):
            style_widgets(form)
            if template_name == self.form_template_name:
                html = form_html.form_html(context)
                if html is not None:
                    return html
        elif template_name == self.field_template_name:
            html = form_html.field_html(context["field"])
            if html is not None:
                return html
        elif template_name in _INPUT_TEMPLATES:
            return _input_html(context["widget"])
        elif template_name in _OPTION_TEMPLATES:
            return _option_html(context["widget"])
        return super().render(template_name, context, request)


# Django's widget templates that are an <input> and nothing else (each includes
# django/forms/widgets/input.html), and those of one option of a radio or checkbox list
# (input_option.html). They are written in Python below: rendering the two or three templates
# each includes cost about 0.1 ms per input, a few milliseconds on the pages with a form or a
# list of choices. The markup is the templates', character for character (the renderer strips
# the trailing newlines).
_INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "text",
        "email",
        "number",
        "url",
        "password",
        "hidden",
        "date",
        "time",
        "datetime",
        "checkbox",
        "search",
        "tel",
    )
)
_OPTION_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in ("input_option", "checkbox_option", "radio_option")
)


def _input_html(widget: dict) -> str:
    """django/forms/widgets/input.html in Python."""
    value = widget["value"]
    shown = "" if value is None else f' value="{escape(value)}"'
    return (
        f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"{shown}'
        f"{_attrs_html(widget['attrs'])}>"
    )


def _option_html(widget: dict) -> str:
    """django/forms/widgets/input_option.html in Python: the input, in its label if wrapped."""
    if not widget.get("wrap_label"):
        return _input_html(widget)
    target = widget["attrs"].get("id")
    opening = f'<label for="{escape(target)}">' if target else "<label>"
    # the included input.html ends with a line break, kept inside the label
    return f"{opening}{_input_html(widget)}\n {conditional_escape(widget['label'])}</label>"


def int_id(value) -> int | None:
    """A primary key from user input: a plain positive integer that fits a bigint, else None
    ("²" and "٣" pass str.isdigit() but are no key; 20 digits overflow the column: a 500)."""
    text = str(value)
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def posted_text(value, *, max_length: int = 2000) -> str:
    """A free text posted beside an action with no form of its own (a reason for cancelling or
    refusing): stripped, cut at `max_length`, without NUL characters, which PostgreSQL cannot
    store (a form's CharField refuses them; here the text is optional, so they are dropped)."""
    return str(value or "").replace("\x00", "").strip()[:max_length]


def choose_from(form: forms.BaseForm, **querysets: QuerySet[Any]) -> None:
    """Narrow a form's model choice fields to these rows (a form scoping its choices in
    __init__): `choose_from(self, comuni=ambito.comuni.all())`."""
    for name, queryset in querysets.items():
        field = form.fields[name]
        if not isinstance(field, forms.ModelChoiceField):
            raise TypeError(f"{name} is not a model choice field")
        field.queryset = queryset


def int_ids(values) -> list[int]:
    """The primary keys among user input (see int_id); anything else is left out."""
    return [i for i in map(int_id, values) if i is not None]


_CHECK_WIDGETS = (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)


def style_widgets(form: forms.BaseForm) -> None:
    """Bootstrap Italia classes, and aria attributes that tie each input to its help and errors."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, _CHECK_WIDGETS):
            css = "form-check-input"
        elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
            css = "form-select"
        else:
            css = "form-control"
        classes = set(widget.attrs.get("class", "").split())
        classes.add(css)
        bound = form[name]
        described = []
        if field.help_text:
            described.append(f"{bound.auto_id}-help")
        # Only errors already computed: styling must never trigger validation (a subclass may
        # still be narrowing its querysets in __init__).
        if form.is_bound and form._errors is not None and name in form._errors:
            described.append(f"{bound.auto_id}-error")
            widget.attrs["aria-invalid"] = "true"
            classes.add("is-invalid")
        widget.attrs["class"] = " ".join(sorted(classes))
        if described:
            widget.attrs["aria-describedby"] = " ".join(described)


def is_single_line(field: forms.Field) -> bool:
    """A text field typed into a one-line input (text, e-mail, URL, search, hidden...): not a
    textarea, a file or a password (a password is kept exactly as typed)."""
    return (
        isinstance(field, forms.CharField)
        and isinstance(field.widget, forms.widgets.Input)
        and not isinstance(field.widget, forms.FileInput | forms.PasswordInput)
    )


def _on_one_line(to_python):
    def wrapped(value):
        return to_python(single_line(value) if isinstance(value, str) else value)

    return wrapped


def keep_on_one_line(form: forms.BaseForm) -> None:
    """The single-line text fields of `form` turn line breaks into spaces before they validate
    (a browser strips them from what is typed, a crafted request does not)."""
    for field in form.fields.values():
        if is_single_line(field):
            field.to_python = _on_one_line(field.to_python)


class PortalFormMixin:
    """Mix into every form: `class MyForm(PortalFormMixin, forms.ModelForm)`. Besides the
    markup, the form's single-line text fields never keep a line break (keep_on_one_line)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        keep_on_one_line(self)
        style_widgets(self)

    def full_clean(self):
        super().full_clean()
        style_widgets(self)


class PortalForm(PortalFormMixin, forms.Form):
    pass


class PortalModelForm(PortalFormMixin, forms.ModelForm):
    pass


def _attrs_html(attrs: dict) -> str:
    """Django's django/forms/widgets/attrs.html in Python."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class FrozenChoices(BaseChoiceIterator):
    """Choices built once (e.g. read from the cache) and never changed: a form field neither
    deep-copies them for every form nor normalises them again at every iteration, which for
    hundreds of options (the comuni) cost more than rendering them."""

    def __init__(self, choices):
        self.choices = tuple(choices)

    def __iter__(self):
        return iter(self.choices)

    def __len__(self) -> int:
        return len(self.choices)

    def __deepcopy__(self, memo):
        return self


class QuickSelect(forms.Select):
    """A Select with the markup of Django's select.html, written in Python: the template
    includes two more templates for every option and the widget builds a dict for each, which
    made long lists (the comuni) the most expensive part of the pages that show them."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            attrs["multiple"] = True
        values = set(self.format_value(value))
        has_selected = False
        parts = [format_html('<select name="{}"', name), _attrs_html(attrs), ">"]
        for group_value, group_label in self.choices:
            grouped = isinstance(group_label, (list, tuple))
            if grouped and group_value:
                parts.append(format_html('\n  <optgroup label="{}">', group_value))
            for option_value, label in group_label if grouped else [(group_value, group_label)]:
                option_value = "" if option_value is None else str(option_value)
                selected = option_value in values and (
                    self.allow_multiple_selected or not has_selected
                )
                has_selected |= selected
                label = label.__html__() if hasattr(label, "__html__") else html.escape(str(label))
                parts.append(
                    f'\n  <option value="{html.escape(option_value)}"'
                    f"{' selected' if selected else ''}>{label}</option>\n"
                )
            if grouped and group_value:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value escaped above


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class RichTextField(forms.CharField):
    """A textarea whose HTML is cleaned with the allow-list before it reaches the model."""

    widget = forms.Textarea

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 10, "data-richtext": "1"}))
        kwargs.setdefault(
            "help_text", _("Testo formattato: grassetto, corsivo, elenchi, titoli, collegamenti.")
        )
        super().__init__(*args, **kwargs)

    def clean(self, value):
        return clean_html(super().clean(value))


class _ChoiceGridMixin:
    """Choices in responsive columns, each an input followed by its label inside `form-check`
    (the Bootstrap Italia layout). components/forms/field.html reads `column_class` too, so a
    plain CheckboxSelectMultiple/RadioSelect gets the same layout with the default columns."""

    template_name = "components/forms/choice_grid.html"
    column_class = "col-sm-6 col-lg-4"

    def __init__(self, *args, column_class: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if column_class:
            self.column_class = column_class

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["column_class"] = self.column_class
        return context


class CheckboxGrid(_ChoiceGridMixin, forms.CheckboxSelectMultiple):
    """Checkboxes in columns, marked up as Bootstrap Italia expects (input, then label)."""


class RadioGrid(_ChoiceGridMixin, forms.RadioSelect):
    """Radio buttons in columns, marked up as Bootstrap Italia expects (input, then label)."""


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's ValidationError on `form`: each field's messages next to that field when
    the form has it, the others (and a plain message) at the top of the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def flash_errors(request, exc: ValidationError) -> None:
    """A service's ValidationError as error messages on the next page (one per message), for
    actions posted without a form to show again (a button on a detail page)."""
    for message in exc.messages:
        messages.error(request, message)


def form_action(
    request: HttpRequest,
    form: forms.BaseForm,
    action: Callable[[dict], Any],
    *,
    success: str | Callable[[Any], str],
    redirect_to: Any | Callable[[Any], Any] = None,
) -> HttpResponse | None:
    """The POST half of a form page: when `form` is posted and valid, run `action` (a service
    call) with its cleaned data; on success say `success` (or what it makes of the action's
    result) and answer the redirect to `redirect_to` (a URL or an object with
    get_absolute_url, or what it makes of the result; by default what the action returned). A service's ValidationError goes
    onto the form (add_service_errors). None when the page is to be shown (again)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = action(form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    messages.success(request, success(result) if callable(success) else success)
    if callable(redirect_to):
        return redirect(redirect_to(result))
    return redirect(redirect_to or result)
