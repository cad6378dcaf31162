"""Events (and their programme), news and library items: created and changed by the Ufficio di
Piano of their ambito, every change in the audit trail."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify

from ambito.permissions import is_ufficio_di_piano
from core import audit
from core.uploads import reencode_image
from participation.models import LibraryTag


@transaction.atomic
def content_save(
    *,
    instance: models.Model,
    by,
    fields: Sequence[str],
    m2m: Mapping[str, Any] | None = None,
    publish: bool | None = None,
) -> models.Model:
    """Create or change an event, a session, a news item or a library item.

    `instance` carries the new values (from a ModelForm with commit=False); `publish` sets or
    clears `published_at` on models that have it. Images are re-encoded before storage."""
    ambito_id = instance.ambito_id if hasattr(instance, "ambito_id") else instance.event.ambito_id
    if not is_ufficio_di_piano(by, ambito_id):
        raise PermissionDenied
    created = instance.pk is None
    before = (
        {}
        if created
        else audit.snapshot(type(instance).objects.get(pk=instance.pk), [*fields, *(m2m or {})])
    )
    image = getattr(instance, "image", None)
    if image and not getattr(image, "_committed", True):
        instance.image = reencode_image(image)
    if publish is not None and hasattr(instance, "published_at"):
        if publish and instance.published_at is None:
            instance.published_at = timezone.now()
        elif not publish:
            instance.published_at = None
    instance.full_clean()
    instance.save()
    for name, values in (m2m or {}).items():
        getattr(instance, name).set(values)
    after = audit.snapshot(instance, [*fields, *(m2m or {})])
    label = instance._meta.model_name
    audit.record(
        actor=by,
        action=f"participation.{label}.{'created' if created else 'updated'}",
        obj=instance,
        changes=audit.diff(before, after),
        ambito_id=ambito_id,
    )
    return instance


@transaction.atomic
def content_delete(*, instance: models.Model, by) -> None:
    ambito_id = instance.ambito_id if hasattr(instance, "ambito_id") else instance.event.ambito_id
    if not is_ufficio_di_piano(by, ambito_id):
        raise PermissionDenied
    audit.record(
        actor=by,
        action=f"participation.{instance._meta.model_name}.deleted",
        obj=instance,
        ambito_id=ambito_id,
    )
    instance.delete()


def tags_from_names(names: Sequence[str]) -> list[LibraryTag]:
    """The tags with these names, created when new (matched by slug, so "Anziani" = "anziani")."""
    tags = []
    for name in names:
        tag, _created = LibraryTag.objects.get_or_create(
            slug=slugify(name)[:60], defaults={"name": name}
        )
        tags.append(tag)
    return tags


@transaction.atomic
def principles_save(*, ambito, formset, by) -> None:
    """Save the ambito's principles from a validated formset; one audit record for the change."""
    if not is_ufficio_di_piano(by, ambito.pk):
        raise PermissionDenied
    before = [str(p) for p in ambito.principles.all()]
    for obj in formset.save(commit=False):
        obj.ambito = ambito
        obj.full_clean()
        obj.save()
    for obj in formset.deleted_objects:
        obj.delete()
    after = [str(p) for p in ambito.principles.all()]
    audit.record(
        actor=by,
        action="participation.principles.updated",
        obj=ambito,
        changes=audit.diff({"principles": before}, {"principles": after}),
        ambito_id=ambito.pk,
    )
