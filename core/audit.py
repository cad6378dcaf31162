"""The audit trail: services call `record` for every state change (who, when, before, after, why).
Bulk operations call `record_many` so that an import of N rows leaves N records."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Concat

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


def record_changes(
    before: Mapping[str, Any], after: Mapping[str, Any], **event: Any
) -> AuditEvent | None:
    """The event of an update (`record`'s keywords) with the fields it changed, before and
    after; nothing is recorded when it changed none."""
    changes = diff(before, after)
    return record(changes=changes, **event) if changes else None


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


def _kind(model) -> str:
    return str(model._meta.verbose_name)


def forget_descriptions(model: type[models.Model], pks: Iterable[int]) -> int:
    """Rows deleted with the personal data they held (a registration's name and address): the
    events about them stay, described by kind and number ("iscrizione #12") instead."""
    ct = ContentType.objects.get_for_model(model, for_concrete_model=False)
    return AuditEvent.objects.filter(content_type=ct, object_id__in=[str(pk) for pk in pks]).update(
        object_repr=Concat(Value(f"{_kind(model)} #"), F("object_id"))
    )


def _scrub(value: Any, patterns: list[re.Pattern], replacement: str) -> Any:
    if isinstance(value, str):
        for pattern in patterns:
            value = pattern.sub(replacement, value)
        return value
    if isinstance(value, list):
        return [_scrub(v, patterns, replacement) for v in value]
    if isinstance(value, dict):
        return {
            _scrub(k, patterns, replacement): _scrub(v, patterns, replacement)
            for k, v in value.items()
        }
    return value


def pseudonymise(
    *, person, email: str, full_name: str = "", rows: Iterable[models.Model] = ()
) -> int:
    """Take a deleted account's person out of the audit trail, which itself stays (who did what
    is a legal record, GDPR art. 17(3)(b)): the events keep pointing at the anonymised row.

    - their address goes from every event: who, what, the recorded changes and the reasons;
    - their full name goes from the events they made, the events about their account and the
      events about `rows` (the rows that stood for them: a seat, a registration, a role), which
      are described by kind and number ("iscrizione #12") instead;
    - a name alone in someone else's event is left as written: it may be a namesake's.
    Returns how many events changed."""
    pseudonym = person.pseudonym
    email_pattern = [re.compile(re.escape(email), re.IGNORECASE)] if email else []
    name_pattern = [re.compile(re.escape(full_name), re.IGNORECASE)] if full_name.strip() else []
    person_key = (ContentType.objects.get_for_model(person).pk, str(person.pk))
    described = {person_key: pseudonym}
    for row in rows:
        ct = ContentType.objects.get_for_model(row, for_concrete_model=False)
        described[(ct.pk, str(row.pk))] = f"{_kind(row)} #{row.pk}"
    by_type: dict[int, list[str]] = {}
    for ct_id, object_id in described:
        by_type.setdefault(ct_id, []).append(object_id)
    about = Q(pk__in=[])
    for ct_id, object_ids in by_type.items():
        about |= Q(content_type_id=ct_id, object_id__in=object_ids)
    mentions = Q(pk__in=[])
    if email:
        mentions = (
            Q(actor_repr__iexact=email)
            | Q(object_repr__icontains=email)
            | Q(changes__icontains=email)
            | Q(reason__icontains=email)
        )
    fields = ["actor_repr", "object_repr", "changes", "reason"]
    changed: list[AuditEvent] = []
    count = 0
    for event in AuditEvent.objects.filter(Q(actor=person) | about | mentions).iterator(
        chunk_size=500
    ):
        key = (event.content_type_id, event.object_id)
        theirs = event.actor_id == person.pk or key in described
        patterns = email_pattern + (name_pattern if theirs else [])
        if event.actor_id == person.pk:
            event.actor_repr = pseudonym
        event.object_repr = described.get(key) or _scrub(event.object_repr, patterns, pseudonym)
        event.changes = _scrub(event.changes, patterns, pseudonym)
        event.reason = _scrub(event.reason, patterns, pseudonym)
        changed.append(event)
        if len(changed) == 500:
            AuditEvent.objects.bulk_update(changed, fields)
            count, changed = count + len(changed), []
    AuditEvent.objects.bulk_update(changed, fields)
    return count + len(changed)
