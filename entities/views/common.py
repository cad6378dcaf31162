"""What the entity views share: the size of a page, the breadcrumbs."""

from __future__ import annotations

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
