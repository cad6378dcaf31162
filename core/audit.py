"""The audit trail: services call `record` for every state change (who, when, before, after, why).
Bulk operations call `record_many` so that an import of N rows leaves N records."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from core.models import AuditEvent


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """{field: {"before": old, "after": new}} for the fields whose value changed."""
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
    return {
        k: {"before": _jsonable(before.get(k)), "after": _jsonable(after.get(k))}
        for k in keys
        if _jsonable(before.get(k)) != _jsonable(after.get(k))
    }


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The values of `fields` on `obj`, many-to-many included, ready for `diff`."""
    data: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            data[name] = sorted(str(o) for o in getattr(obj, name).all()) if obj.pk else []
        else:
            data[name] = getattr(obj, name)
    return data


def _event(
    *, actor, action: str, obj: models.Model, changes=None, reason: str = "", ambito_id=None
) -> AuditEvent:
    return AuditEvent(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_repr=(actor.email if actor is not None and actor.is_authenticated else "sistema")[
            :255
        ],
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        ambito_id=ambito_id,
        changes=_jsonable(changes or {}),
        reason=reason,
    )


def record(
    *,
    actor,
    action: str,
    obj: models.Model,
    changes: Mapping | None = None,
    reason: str = "",
    ambito_id: int | None = None,
) -> AuditEvent:
    event = _event(
        actor=actor, action=action, obj=obj, changes=changes, reason=reason, ambito_id=ambito_id
    )
    event.save()
    return event


def record_many(
    *,
    actor,
    action: str,
    objects: Iterable[models.Model],
    changes_for=None,
    ambito_id: int | None = None,
) -> int:
    events = [
        _event(
            actor=actor,
            action=action,
            obj=o,
            changes=changes_for(o) if changes_for else None,
            ambito_id=ambito_id,
        )
        for o in objects
    ]
    AuditEvent.objects.bulk_create(events, batch_size=500)
    return len(events)


def history_for(obj: models.Model) -> QuerySet[AuditEvent]:
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    return AuditEvent.objects.filter(content_type=ct, object_id=str(obj.pk)).select_related("actor")
