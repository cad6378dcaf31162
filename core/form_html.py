"""components/forms/form.html and components/forms/field.html written in Python (issue 21).

core.forms.PortalFormRenderer renders every `{{ form }}` and `{{ form.x.as_field_group }}` with
these two templates; a field costs one template render plus the include of
field_feedback.html (about 0.15 ms), which made the filter forms (the directory's nine fields)
a fifth of their pages. The functions below write the same markup, character for character:
the templates stay the reference (pages may still include field.html, and the tests compare
both renderings, tests/core/test_form_html.py), and what these functions do not cover returns
None and is rendered by the template:
- a form with errors (the summary at its top);
- a field shown as a fieldset (a list of radio buttons or checkboxes).

Each value is read in the order the template reads it: reading a bound field's errors may run
the form's validation, which restyles the widgets (core.forms.PortalFormMixin.full_clean).
"""

from __future__ import annotations

from django import forms
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.translation import gettext

_STAR = ' <span aria-hidden="true">*</span>'


def template_value(value) -> str:
    """`{{ value }}` with autoescape on, as django.template.base.render_value_in_context writes
    it: localised (numbers; text is left as it is), a str kept as it is (a SafeString stays
    safe), anything else made a str, then escaped unless safe. Used here and by
    core.pagination."""
    value = localize(value)
    return conditional_escape(value if isinstance(value, str) else str(value))


def form_html(context: dict) -> str | None:
    """form.html for Django's form context (form, fields, hidden_fields, errors); None when the
    form has errors (the template writes their summary)."""
    if context["form"].errors:
        return None
    fields = context["fields"]
    parts = []
    if any(field.field.required for field, _errors in fields):
        parts.append(
            '<p class="small text-muted mb-3">'
            f"{template_value(gettext('I campi contrassegnati con * sono obbligatori.'))}</p>"
        )
    parts.append("\n")
    for field, _errors in fields:
        parts.append(f"\n{field.as_field_group()}\n")
    parts.append("\n")
    parts.extend(str(field) for field in context["hidden_fields"])
    return "".join(parts).strip()  # as the renderer strips the template's output


def field_html(field: forms.BoundField) -> str | None:
    """field.html for one bound field; None for a field shown as a fieldset."""
    if field.use_fieldset:
        return None
    widget = field.field.widget
    checkbox = getattr(widget, "input_type", "") == "checkbox"
    css = field.css_classes()
    css = f" {template_value(css)}" if css else ""
    required = _STAR if field.field.required else ""
    if checkbox:
        shown = str(field)
        label = f'<label for="{template_value(field.id_for_label)}">{template_value(field.label)}{required}</label>'
        return (
            f'<div class="form-check mb-4{css}">\n  {shown}\n  {label}\n'
            f"  {_feedback_html(field)}\n</div>"
        )
    label = ""
    if field.label:
        label = f'<label for="{template_value(field.id_for_label)}">{template_value(field.label)}{required}</label>'
    shown = str(field)
    return (
        f'<div class="form-group mb-4{css}">\n  {label}\n  {shown}\n'
        f"  {_feedback_html(field)}\n</div>"
    )


def _feedback_html(field: forms.BoundField) -> str:
    """components/forms/field_feedback.html, as included (its comments' line breaks kept)."""
    help_html = ""
    if field.help_text:
        target = f' id="{template_value(field.auto_id)}-help"' if field.auto_id else ""
        help_html = f'<div class="form-text" data-hx-disable{target}>{template_value(field.help_text)}</div>'
    errors_html = ""
    if field.errors:
        target = f' id="{template_value(field.auto_id)}-error"' if field.auto_id else ""
        messages = "<br>".join(template_value(error) for error in field.errors)
        errors_html = f'<div class="invalid-feedback d-block"{target}>{messages}</div>'
    return f"\n\n{help_html}\n{errors_html}\n"
