"""The figures of the analytics page, of its download and of the plan's participation chapter.

Every figure is one aggregate query (annotate/aggregate, correlated counts through
core.queries.count_of), so the number of queries does not grow with the rows: the page runs the
same queries for ten meetings as for ten thousand. The only rows read into Python are the answer
times of the proposals (two moments each), for their median."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from core.queries import count_of
from entities.models import Entity, TargetGroup
from participation.analytics.scope import Scope
from participation.models import Booking, Event, Survey
from processes.models import Procedure
from tables.models import Invitation, Table

# A participant was present in person or through a delegate of theirs.
PRESENT = (Invitation.Attendance.PRESENT, Invitation.Attendance.DELEGATED)
ENTITY_ROWS = 50  # the page lists this many entities; the download lists them all
MEETING_ROWS = 20
SECONDS_PER_DAY = 86400


def rate(part: int, whole: int) -> float | None:
    """part / whole as a percentage with one decimal (None when there is no whole)."""
    return round(part * 100 / whole, 1) if whole else None


def _attendance(rows: QuerySet) -> dict[str, Any]:
    found = rows.aggregate(
        invited=Count("pk"), present=Count("pk", filter=Q(attendance__in=PRESENT))
    )
    return {**found, "rate": rate(found["present"], found["invited"])}


def _answer_times(scope: Scope) -> dict[str, Any]:
    """Proposals made in the period, how many got their official answer, and the average and
    median days it took (one query)."""
    rows = list(scope.proposals().values_list("created_at", "answered_at"))
    days = [
        (answered - created).total_seconds() / SECONDS_PER_DAY
        for created, answered in rows
        if answered is not None
    ]
    return {
        "proposals": len(rows),
        "answered": len(days),
        "answered_rate": rate(len(days), len(rows)),
        "avg_days": round(statistics.fmean(days), 1) if days else None,
        "median_days": round(statistics.median(days), 1) if days else None,
    }


def participant_entities(scope: Scope) -> QuerySet[Entity]:
    """The entities that took part in the period: present at a meeting, applied to a procedure,
    answered a survey or put forward a proposal (a UNION of id queries, computed in SQL)."""
    ids = (
        scope.invitations()
        .filter(attendance__in=PRESENT, entity__isnull=False)
        .order_by()
        .values("entity_id")
        .union(
            scope.applications().order_by().values("entity_id"),
            scope.responses().filter(entity__isnull=False).order_by().values("entity_id"),
            scope.proposals().filter(entity__isnull=False).order_by().values("entity_id"),
        )
    )
    return Entity.objects.filter(pk__in=ids)


def _attended(registrations: QuerySet) -> QuerySet:
    """Registrations with at least one session attended."""
    return registrations.filter(
        Exists(Booking.objects.filter(registration_id=OuterRef("pk"), attended_at__isnull=False))
    )


def plan_summary(scope: Scope) -> dict[str, Any]:
    """The few numbers of a plan's participation chapter: entities, meetings, attendance rate,
    proposals answered (four queries)."""
    return {
        "entities": participant_entities(scope).count(),
        "meetings": scope.meetings().count(),
        "attendance": _attendance(scope.invitations()),
        **_answer_times(scope),
    }


def _summary(scope: Scope, entities: QuerySet[Entity]) -> dict[str, Any]:
    registrations = {
        "registrations": scope.registrations().count(),
        "attendees": _attended(scope.registrations()).count(),
    }
    return {
        "entities": entities.count(),
        "meetings": scope.meetings().count(),
        "attendance": _attendance(scope.invitations()),
        "applications": scope.applications().count(),
        "responses": scope.responses().count(),
        **registrations,
        **_answer_times(scope),
    }


def _tables(scope: Scope) -> list[dict[str, Any]]:
    invitations = scope.invitations()
    present = invitations.filter(attendance__in=PRESENT)
    rows = (
        Table.objects.filter(ambito_id=scope.ambito_id)
        .annotate(
            n_meetings=count_of(scope.meetings(), "table"),
            n_invited=count_of(invitations, "meeting__table"),
            n_present=count_of(present, "meeting__table"),
        )
        .filter(Q(n_meetings__gt=0) | Q(n_invited__gt=0))
        .order_by("name", "pk")
        .values("pk", "name", "n_meetings", "n_invited", "n_present")
    )
    return [{**r, "rate": rate(r["n_present"], r["n_invited"])} for r in rows]


def _meetings(scope: Scope, limit: int | None) -> list[dict[str, Any]]:
    invitations = scope.invitations()
    rows = (
        scope.meetings()
        .annotate(
            n_invited=count_of(invitations, "meeting"),
            n_present=count_of(invitations.filter(attendance__in=PRESENT), "meeting"),
        )
        .order_by("-starts_at", "-pk")
        .values("pk", "title", "starts_at", "table__name", "n_invited", "n_present")
    )
    return [{**r, "rate": rate(r["n_present"], r["n_invited"])} for r in rows[:limit]]


def _procedures(scope: Scope) -> list[dict[str, Any]]:
    applications = scope.applications()
    return list(
        Procedure.objects.filter(ambito_id=scope.ambito_id)
        .annotate(n=count_of(applications, "procedure"))
        .filter(n__gt=0)
        .order_by("-n", "title")
        .values("pk", "title", "n")  # type: ignore[arg-type]
    )


def _events(scope: Scope) -> list[dict[str, Any]]:
    if scope.is_comune_slice:
        return []
    registrations = scope.registrations()
    attended = _attended(registrations)
    rows = (
        Event.objects.filter(scope.period.q("starts_at"), ambito_id=scope.ambito_id)
        .exclude(status=Event.Status.DRAFT)
        .annotate(
            n_registered=count_of(registrations, "event"),
            n_attended=count_of(attended, "event"),
        )
        .order_by("starts_at", "pk")
        .values("pk", "title", "starts_at", "n_registered", "n_attended")
    )
    return [{**r, "rate": rate(r["n_attended"], r["n_registered"])} for r in rows]


def _surveys(scope: Scope) -> list[dict[str, Any]]:
    return list(
        Survey.objects.filter(ambito_id=scope.ambito_id)
        .annotate(n=count_of(scope.responses(), "survey"))
        .filter(n__gt=0)
        .order_by("-n", "title")
        .values("pk", "title", "n")  # type: ignore[arg-type]
    )


def _breakdowns(scope: Scope, entities: QuerySet[Entity]) -> dict[str, list[dict[str, Any]]]:
    forms = dict(Entity.LegalForm.choices)
    by_form = entities.order_by().values("legal_form").annotate(n=Count("pk"))
    by_comune = entities.order_by().values("seat_comune__name").annotate(n=Count("pk"))
    by_group = (
        TargetGroup.objects.annotate(n=Count("entities", filter=Q(entities__in=entities)))
        .filter(n__gt=0)
        .values("name", "n")
    )

    def ranked(rows) -> list[dict[str, Any]]:
        return sorted(rows, key=lambda r: (-r["n"], r["label"]))

    return {
        "legal_form": ranked(
            {"label": str(forms.get(r["legal_form"], r["legal_form"])), "n": r["n"]}
            for r in by_form
        ),
        "comune": ranked({"label": r["seat_comune__name"] or "—", "n": r["n"]} for r in by_comune),
        "target_group": ranked({"label": r["name"], "n": r["n"]} for r in by_group),
    }


def _entity_rows(scope: Scope, entities: QuerySet[Entity], limit: int | None) -> list[dict]:
    """Who took part in what: one row per entity with its counts."""
    rows = (
        entities.annotate(
            n_present=count_of(scope.invitations().filter(attendance__in=PRESENT), "entity"),
            n_applications=count_of(scope.applications(), "entity"),
            n_responses=count_of(scope.responses(), "entity"),
            n_proposals=count_of(scope.proposals(), "entity"),
        )
        .order_by("name", "pk")
        .values(
            "pk",
            "name",
            "legal_form",
            "seat_comune__name",
            "n_present",
            "n_applications",
            "n_responses",
            "n_proposals",
        )
    )
    forms = dict(Entity.LegalForm.choices)
    return [
        {**r, "legal_form_label": str(forms.get(r["legal_form"], r["legal_form"]))}
        for r in rows[:limit]
    ]


@dataclass
class Figures:
    scope: Scope
    summary: dict[str, Any]
    tables: list[dict[str, Any]]
    meetings: list[dict[str, Any]]
    procedures: list[dict[str, Any]]
    events: list[dict[str, Any]]
    surveys: list[dict[str, Any]]
    breakdowns: dict[str, list[dict[str, Any]]]
    entities: list[dict[str, Any]]
    charts: dict[str, list] = field(default_factory=dict)


def participation_figures(scope: Scope, *, full: bool = False) -> Figures:
    """Every figure of `scope`; `full` (the download) lists every meeting and entity, the page
    the first MEETING_ROWS and ENTITY_ROWS. A constant number of queries (17)."""
    entities = participant_entities(scope)
    figures = Figures(
        scope=scope,
        summary=_summary(scope, entities),
        tables=_tables(scope),
        meetings=_meetings(scope, None if full else MEETING_ROWS),
        procedures=_procedures(scope),
        events=_events(scope),
        surveys=_surveys(scope),
        breakdowns=_breakdowns(scope, entities),
        entities=_entity_rows(scope, entities, None if full else ENTITY_ROWS),
    )
    figures.charts = {
        "attendance": [
            {
                "label": t["name"],
                "value": t["n_present"],
                "total": t["n_invited"],
                "display": _("%(p)s su %(i)s") % {"p": t["n_present"], "i": t["n_invited"]},
            }
            for t in figures.tables
            if t["n_invited"]
        ],
        **{key: [(r["label"], r["n"]) for r in rows] for key, rows in figures.breakdowns.items()},
    }
    return figures
