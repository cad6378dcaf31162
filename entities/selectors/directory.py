"""Reads of the public directory: verified entities, the filters' options and the counts,
cached; text search and its paginator."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.db.models import Count, Prefetch, Q, QuerySet, Window

from ambito.models import Comune
from ambito.permissions import staff_ambito_ids
from core.prepared import Prepared
from core.queries import planned_for_its_values
from core.search import StoredDocument
from entities.models import (
    ETS_LEGAL_FORMS,
    Activity,
    Entity,
    TargetGroup,
)


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
        for pk, code, name in _ACTIVITIES.run(entity_ids=entity_ids):
            activities[pk].append((code, name))
        for pk, name in _GROUPS.run(entity_ids=entity_ids):
            groups[pk].append(name)
    return activities, groups


# `any`: one SQL text for any page of entities (core.prepared keeps it compiled)
_ACTIVITIES = Prepared(
    lambda entity_ids: (
        Entity.activities.through.objects.filter(entity_id__any=entity_ids)
        .order_by("activity__code")
        .values_list("entity_id", "activity__code", "activity__name")
    )
)
_GROUPS = Prepared(
    lambda entity_ids: (
        Entity.target_groups.through.objects.filter(entity_id__any=entity_ids)
        .order_by(*(f"targetgroup__{f}" for f in TargetGroup._meta.ordering), "targetgroup_id")
        .values_list("entity_id", "targetgroup__name")
    )
)


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
