"""What the entity views share: the size of a page, the breadcrumbs, a service's errors on a form."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from entities.models import Entity

PAGE_SIZE = 20


def crumbs(*extra, entity: Entity | None = None) -> list[tuple[str, str]]:
    trail = [(_("Enti del Terzo settore"), reverse("entities:directory"))]
    if entity is not None:
        trail.append((entity.name, entity.get_absolute_url()))
    trail.extend((label, "") for label in extra)
    return trail


def service_errors(form, exc: ValidationError) -> None:
    """A service's ValidationError on the form, next to its field when the form has it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
