"""Reads of entities used by views and exports: scoped to the user and pre-fetched."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.db.models import Count, Prefetch, Q, QuerySet, Window
from django.utils.text import capfirst

from ambito.models import Comune
from ambito.permissions import managed_ambito_ids, staff_ambito_ids
from core import audit
from core.models import AuditEvent, User
from core.queries import planned_for_its_values, select_related_only
from core.search import StoredDocument
from entities.models import (
    ETS_LEGAL_FORMS,
    Activity,
    Entity,
    EntityClaim,
    EntityInvitation,
    EntityMembership,
    TargetGroup,
)
from entities.permissions import active_membership_by_entity, active_memberships


def directory_entities(*, prefetch: bool = True) -> QuerySet[Entity]:
    """Verified bodies, as the public directory lists them (ETS by default: DirectoryFilter),
    with their activities and target groups prefetched (prefetch=False: the directory's page,
    which reads them for its page of entities with `activities_and_groups`, and only the
    fields its cards show)."""
    qs = Entity.objects.filter(status=Entity.Status.VERIFIED).select_related("seat_comune")
    if not prefetch:  # the page's cards: what they show, not the forty columns of a body
        return qs.only(
            *("name", "legal_form", "runts_section", "description"),
            *("seat_comune__name", "seat_comune__province_code"),
        )
    return qs.prefetch_related(
        Prefetch("activities", queryset=Activity.objects.order_by("code")),
        Prefetch("target_groups", queryset=TargetGroup.objects.all()),
    )


def activities_and_groups(
    entity_ids: list[int],
) -> tuple[dict[int, list[tuple[str, str]]], dict[int, list[str]]]:
    """({entity pk: [(activity code, name)] by code}, {entity pk: [target group name]} in the
    groups' order) for a page of entities: two queries of plain values instead of prefetching
    model instances (a directory page built a few hundred)."""
    activities: dict[int, list[tuple[str, str]]] = defaultdict(list)
    groups: dict[int, list[str]] = defaultdict(list)
    if entity_ids:
        rows = (
            Entity.activities.through.objects.filter(entity_id__in=entity_ids)
            .order_by("activity__code")
            .values_list("entity_id", "activity__code", "activity__name")
        )
        for pk, code, name in rows:
            activities[pk].append((code, name))
        group_order = [f"targetgroup__{f}" for f in TargetGroup._meta.ordering]
        rows = (
            Entity.target_groups.through.objects.filter(entity_id__in=entity_ids)
            .order_by(*group_order, "targetgroup_id")
            .values_list("entity_id", "targetgroup__name")
        )
        for pk, name in rows:
            groups[pk].append(name)
    return activities, groups


DIRECTORY_CHOICES_KEY = "entities:directory-choices"
DIRECTORY_CHOICES_TIMEOUT = 60 * 60


def directory_choices() -> dict[str, list[tuple[str, str]]]:
    """The options of the directory's filters: activities, target groups, and the comuni where
    verified entities operate (a DISTINCT over every entity's comuni: too slow for each request).
    Cached until an entity, a comune or a reference list changes (forget_directory_choices), or
    for an hour at most (the yearly ISTAT refresh of comuni writes in bulk, without signals)."""
    choices = cache.get(DIRECTORY_CHOICES_KEY)
    if choices is None:
        comuni = (
            Comune.objects.filter(operating_entities__status=Entity.Status.VERIFIED)
            .distinct()
            .order_by("name")
        )
        choices = {
            "activities": [(a.code, str(a)) for a in Activity.objects.order_by("code")],
            "target_groups": [(t.code, str(t)) for t in TargetGroup.objects.all()],
            "comuni": [(c.istat_code, str(c)) for c in comuni],
        }
        cache.set(DIRECTORY_CHOICES_KEY, choices, DIRECTORY_CHOICES_TIMEOUT)
    return choices


LEGAL_FORM_COUNTS_KEY = "entities:legal-form-counts"
CACHED_KEYS = (DIRECTORY_CHOICES_KEY, LEGAL_FORM_COUNTS_KEY)


def verified_counts() -> list[tuple[int, str, int]]:
    """(ambito pk, legal form, number of verified bodies): a GROUP BY over every verified entity
    of the region, cached like directory_choices."""
    rows = cache.get(LEGAL_FORM_COUNTS_KEY)
    if rows is None:
        rows = list(
            Entity.objects.filter(status=Entity.Status.VERIFIED)
            .values_list("ambito_id", "legal_form")
            .annotate(n=Count("pk"))
            .order_by()
        )
        cache.set(LEGAL_FORM_COUNTS_KEY, rows, DIRECTORY_CHOICES_TIMEOUT)
    return rows


def _by_legal_form(ambito_id: int | None) -> Counter[str]:
    counts: Counter[str] = Counter()
    for pk, form, n in verified_counts():
        if ambito_id is None or pk == ambito_id:
            counts[form] += n
    return counts


def verified_by_legal_form(ambito_id: int | None = None) -> list[tuple[str, int]]:
    """Verified enti del Terzo settore (of one ambito, or all) by legal form, most frequent
    first (the home page's chart): bodies that cannot be ETS (LEGAL_FORM_RULES) are not counted."""
    counts = _by_legal_form(ambito_id)
    return sorted(
        ((form, n) for form, n in counts.items() if form in ETS_LEGAL_FORMS),
        key=lambda row: (-row[1], row[0]),
    )


def verified_participants_count(ambito_id: int | None = None) -> int:
    """Verified bodies that sit at tables without being ETS (unions, schools, informal groups...)."""
    counts = _by_legal_form(ambito_id)
    return sum(n for form, n in counts.items() if form not in ETS_LEGAL_FORMS)


def forget_directory_choices(**signal_kwargs) -> None:
    """Drop the cached filter options and legal form counts: now, and again when the change is
    committed (a request may have cached the old rows in between). A signal receiver
    (entities.apps connects it); bulk writes call it themselves."""
    cache.delete_many(CACHED_KEYS)
    transaction.on_commit(lambda: cache.delete_many(CACHED_KEYS))


def exportable_entities(user) -> QuerySet[Entity]:
    """The directory's entities of the ambiti where `user` is staff: an export carries reserved
    data (legal representative, phone) that only the staff of the entity's own ambito see."""
    return directory_entities().filter(ambito_id__in=staff_ambito_ids(user))


def search(qs: QuerySet[Entity], term: str) -> QuerySet[Entity]:
    """Text search by name and description: full-text with Italian stemming on PostgreSQL (plus a
    substring match on the name, for partial words), substring match elsewhere. The Italian
    tsvector of name and description is stored, GIN-indexed, in entities_entity.search_document
    (a generated column: migration 0005)."""
    term = (term or "").strip()
    if not term:
        return qs
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank

        query = SearchQuery(term, config="italian", search_type="websearch")
        return (
            qs.alias(document=StoredDocument())
            .annotate(rank=SearchRank(StoredDocument(), query))
            .filter(Q(document=query) | Q(name__icontains=term))
        )
    return qs.filter(Q(name__icontains=term) | Q(description__icontains=term))


class CountingPaginator(Paginator):
    """Counts the rows with the page's own query (COUNT(*) OVER ()): the rows of a text search
    are read once, not twice (a COUNT, then the ranked page: ranking sorts them all anyway). A
    page past the end falls back to Django's count and last page."""

    def get_page(self, number) -> Page:
        try:
            number = max(int(number), 1)
        except (TypeError, ValueError):
            number = 1
        bottom = (number - 1) * self.per_page
        counted = self.object_list.annotate(matching_rows=Window(Count("pk")))
        with planned_for_its_values():
            rows = list(counted[bottom : bottom + self.per_page])
        if not rows:
            return super().get_page(number)
        self.count = rows[0].matching_rows
        return self._get_page(rows, number, self)


def entity_detail(pk: int, visible: QuerySet[Entity]) -> QuerySet[Entity]:
    return visible.select_related("seat_comune", "ambito").prefetch_related(
        "activities",
        "target_groups",
        Prefetch("operating_comuni", queryset=Comune.objects.order_by("name")),
    )


def verification_queue(user, status: str = Entity.Status.PENDING) -> QuerySet[Entity]:
    return (
        Entity.objects.filter(ambito_id__in=managed_ambito_ids(user), status=status)
        .select_related("seat_comune", "ambito")
        .order_by("status_changed_at", "created_at")
    )


def queue_counts(user) -> dict[str, int]:
    rows = (
        Entity.objects.filter(ambito_id__in=managed_ambito_ids(user))
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {s: 0 for s in Entity.Status.values}
    counts.update({r["status"]: r["n"] for r in rows})
    return counts


def _shown(field: str, value) -> str:
    """An audited value as people read it: the label of a choice, a date as dd/mm/yyyy."""
    if value in (None, ""):
        return "—"
    choices = Entity._meta.get_field(field).choices
    if choices:
        return str(dict(choices).get(value, value))
    if field == "runts_date":
        try:
            return date.fromisoformat(str(value)).strftime("%d/%m/%Y")
        except ValueError:
            return str(value)
    return str(value)


def identity_changes(entities) -> dict[int, list[tuple[str, str, str]]]:
    """For each of `entities` whose identifying data (Entity.IDENTIFYING_FIELDS) changed since the
    Ufficio di Piano last verified it: (field label, value then, value now), in the fields' order.
    Several edits merge; a field changed and changed back drops out. One query for all."""
    by_id = {str(e.pk): e for e in entities}
    if not by_id:
        return {}
    events = (
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Entity),
            object_id__in=list(by_id),
            action__in=("entity.updated", "entity.status.verified"),
        )
        .order_by("created_at", "pk")
        .values_list("object_id", "action", "changes")
    )
    merged: dict[str, dict[str, dict]] = defaultdict(dict)
    for object_id, action, changes in events:
        if action == "entity.status.verified":
            merged.pop(object_id, None)
            continue
        for field, change in (changes or {}).items():
            if field in Entity.IDENTIFYING_FIELDS and isinstance(change, dict):
                first = merged[object_id].get(field, change)
                merged[object_id][field] = {
                    "before": first.get("before"),
                    "after": change.get("after"),
                }
    result = {}
    for object_id, fields in merged.items():
        rows = [
            (
                capfirst(str(Entity._meta.get_field(f).verbose_name)),
                _shown(f, fields[f]["before"]),
                _shown(f, fields[f]["after"]),
            )
            for f in Entity.IDENTIFYING_FIELDS
            if f in fields and fields[f]["before"] != fields[f]["after"]
        ]
        if rows:
            result[by_id[object_id].pk] = rows
    return result


def status_history(entity: Entity) -> QuerySet[AuditEvent]:
    return audit.history_for(entity).order_by("-created_at")


def members_of(entity: Entity) -> QuerySet[EntityMembership]:
    return select_related_only(entity.memberships.current(), user=User.DISPLAY_FIELDS).order_by(
        "role", "user__last_name"
    )


def past_members_of(entity: Entity) -> QuerySet[EntityMembership]:
    return select_related_only(
        entity.memberships.filter(ended_at__isnull=False), user=User.DISPLAY_FIELDS
    ).order_by("-ended_at")


def open_invitations(entity: Entity) -> QuerySet[EntityInvitation]:
    return select_related_only(
        entity.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True),
        outgoing_email=("status",),
    )


def my_memberships(user) -> QuerySet[EntityMembership]:
    return (
        active_memberships(user)
        .select_related("entity", "entity__seat_comune")
        .order_by("entity__name")
    )


def my_membership(user, entity: Entity) -> EntityMembership | None:
    return active_membership_by_entity(user).get(entity.pk)


def is_staff_for(user, entity: Entity) -> bool:
    return entity.ambito_id in staff_ambito_ids(user)


# --- claims of a disputed tax code -----------------------------------------------------------
def pending_claims(user) -> QuerySet[EntityClaim]:
    """Claims waiting for the decision of the user's Ufficio di Piano, oldest first."""
    return (
        EntityClaim.objects.filter(
            status=EntityClaim.Status.PENDING, entity__ambito_id__in=managed_ambito_ids(user)
        )
        .select_related("entity", "claimant")
        .order_by("created_at", "pk")
    )


def pending_claims_of(entity: Entity) -> QuerySet[EntityClaim]:
    return select_related_only(
        entity.claims.filter(status=EntityClaim.Status.PENDING), claimant=User.DISPLAY_FIELDS
    ).order_by("created_at", "pk")


def represented_entities(user) -> QuerySet[Entity]:
    """The entities whose record names `user` as legal representative (by the fiscal code their
    account proved with SPID/CIE) and that they do not administer yet: they may take it over
    (entities.services.claims.legal_representative_take_over). Rejected registrations: none."""
    if not user.is_authenticated or not user.fiscal_code:
        return Entity.objects.none()
    return (
        Entity.objects.filter(legal_representative_fiscal_code=user.fiscal_code)
        .exclude(status=Entity.Status.REJECTED)
        .exclude(
            pk__in=EntityMembership.objects.current()
            .filter(user=user, role=EntityMembership.Role.ADMIN)
            .values("entity_id")
        )
        .order_by("name")
    )


def claims_of(user) -> QuerySet[EntityClaim]:
    """The user's own claims, newest first (with the entity's tax code and status only: a
    claimant sees nothing of a pending entity beyond the tax code they typed)."""
    return select_related_only(
        EntityClaim.objects.filter(claimant=user), entity=("tax_code", "status", "name")
    ).order_by("-created_at", "-pk")
