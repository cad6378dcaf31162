"""Lists of procedures and applications for a user: the list page, the home page, the dashboard."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.utils import timezone

from ambito.models import Ambito
from ambito.permissions import managed_ambito_ids
from core.prepared import Prepared, Rows
from core.queries import FirstPerGroup, LatestOf, count_of
from entities.models import Entity
from entities.permissions import administered_entity_ids, member_entity_ids
from processes import workflow
from processes.filters import ProcedureFilter
from processes.models import (
    Application,
    ApplicationStatus,
    CommissionMember,
    Notice,
    Procedure,
    WindowReopening,
)
from processes.permissions import (
    application_policy,
    procedure_policy,
    results_public_q,
)


def procedures_for_list(user) -> QuerySet[Procedure]:
    """Visible procedures, with what the list shows of them (title, kind, status, the ambito's
    name); `application_count` is None where the number of applications is not the user's to
    know yet (before the results, only the RUP knows how many applied)."""
    count = count_of(Application.objects.exclude(status=ApplicationStatus.DRAFT), "procedure")
    knows = results_public_q()
    if getattr(user, "is_authenticated", False):
        knows |= Q(rup=user)
    published = Notice.objects.filter(
        procedure=OuterRef("pk"), published_at__isnull=False
    ).order_by("-version")
    # the fields the list shows (its rows are memoised by what they hold): a procedure has
    # thirty columns, whose compiling, loading and keying cost more than the query
    rows = procedure_policy.visible(user).select_related("ambito")
    return rows.only("title", "kind", "status", "ambito__name").annotate(
        application_count=Case(When(knows, then=count), default=None),
        # whether a notice is published, and the latest one's deadline (an open list may have
        # none): the notices' texts are not read
        has_published_notice=Exists(published),
        notice_deadline=Subquery(published.values("deadline")[:1]),
    )


def ambiti_with_procedures(user) -> list[tuple[int, str]]:
    """(key, name) of the ambiti of the procedures the user sees, by name: the list's filter."""
    return _AMBITI_WITH_PROCEDURES.run(user=user)


_AMBITI_WITH_PROCEDURES = Prepared(
    lambda user: (
        Ambito.objects.filter(pk__in=procedure_policy.visible(user).values("ambito_id"))
        .order_by("name")
        .values_list("pk", "name")
    )
)


def procedure_rows(user, *, ambito_id: int | None, chosen: dict, filtered: bool) -> Rows[Procedure]:
    """procedures_for_list (of one ambito, if given) filtered by ProcedureFilter's `chosen`
    values, newest first, a page at a time; `filtered`: the filter form was submitted (its rows
    are distinct, as the filter set makes them)."""
    return Rows(_PROCEDURE_ROWS, user=user, ambito_id=ambito_id, filtered=filtered, **chosen)


def _procedure_rows(*, user, ambito_id: int | None, filtered: bool, **chosen) -> QuerySet:
    qs = procedures_for_list(user)
    if ambito_id is not None:
        qs = qs.filter(ambito_id=ambito_id)
    if filtered:
        qs = ProcedureFilter.apply(qs, chosen)
    return qs.order_by("-created_at", "-pk")


_PROCEDURE_ROWS = Prepared(_procedure_rows)


def activity_codes(procedure_ids: list[int]) -> dict[int, list[str]]:
    """{procedure pk: its activities' codes, in order}, for a page of procedures: one query of
    plain values instead of prefetching the activities as model instances."""
    codes: dict[int, list[str]] = defaultdict(list)
    if procedure_ids:
        for pk, code in _ACTIVITY_CODES.run(procedure_ids=procedure_ids):
            codes[pk].append(code)
    return codes


_ACTIVITY_CODES = Prepared(
    lambda procedure_ids: (
        Procedure.activities.through.objects.filter(procedure_id__any=procedure_ids)
        .order_by("activity__code")
        .values_list("procedure_id", "activity__code")
    )
)


def open_procedures(user, limit: int = 6, *, ambito_id: int | None = None) -> list[Procedure]:
    """Procedures accepting applications now (of one ambito, if given), soonest deadline first,
    each with `open_until`."""
    qs = _open_procedures(user)
    if ambito_id is not None:
        qs = qs.filter(ambito_id=ambito_id)
    return list(qs.order_by(F("open_until").asc(nulls_last=True), "pk")[:limit])


def open_procedures_by_ambito(user, ambito_ids: list[int]) -> dict:
    """{ambito pk: (first CARD_PROCEDURES open procedures, how many are open)}: one query for
    all the ambiti (the region's home)."""
    rows = _OPEN_BY_AMBITO.run(user=user, ambito_ids=tuple(ambito_ids), now=timezone.now())
    found: dict[int, tuple[list[Procedure], int]] = {}
    for p in rows:
        found.setdefault(p.ambito_id, ([], p.open_in_ambito))[0].append(p)
    return found


def _open_in_ambiti(*, user, ambito_ids: tuple[int, ...], now: datetime) -> QuerySet[Procedure]:
    # what the cards show (a title and a link): building thirty columns per row, and a memo key
    # of them on the home, cost more than the query
    return _open_procedures(user, now).filter(ambito_id__in=ambito_ids).only("title", "ambito")


CARD_PROCEDURES = 3  # open procedures named on each ambito's card of the region's home
_OPEN_BY_AMBITO = FirstPerGroup(
    _open_in_ambiti,
    model=Procedure,
    group="ambito",
    order=[F("open_until").asc(nulls_last=True), F("pk").asc()],
    n=CARD_PROCEDURES,
    count_as="open_in_ambito",
)


def _open_procedures(user, now: datetime | None = None) -> QuerySet[Procedure]:
    """Procedure.effective_deadline computed in SQL (`open_until`: the latest published notice's
    deadline, or a later reopening's), open ones only (at `now`, by default the present)."""
    notice_deadline = (
        Notice.objects.filter(procedure=OuterRef("pk"), published_at__isnull=False)
        .order_by("-version")
        .values("deadline")[:1]
    )
    reopened_until = (
        WindowReopening.objects.filter(procedure=OuterRef("pk"))
        .order_by("-until")
        .values("until")[:1]
    )
    return (
        procedure_policy.visible(user)
        .filter(status=workflow.NOTICE_PUBLISHED)
        .select_related("ambito")
        # the later of the two, where a missing one (no reopening) does not count (LatestOf:
        # each subquery written once on PostgreSQL, whose GREATEST ignores NULLs)
        .annotate(open_until=LatestOf(Subquery(notice_deadline), Subquery(reopened_until)))
        # An open list without a closing date (accreditamento) is open as long as it is published.
        .filter(
            Q(open_until__gte=now or timezone.now())
            | Q(open_until__isnull=True, kind=Procedure.Kind.ACCREDITATION)
        )
    )


def applications_for_user(user) -> QuerySet[Application]:
    entity_ids = member_entity_ids(user)
    if not entity_ids:
        return Application.objects.none()  # a plain none(): nothing to compile
    return (
        Application.objects.filter(entity_id__in=entity_ids)
        .select_related("procedure", "entity")
        .order_by("-updated_at")
    )


def procedures_to_act_on(user) -> list[Procedure]:
    """For staff: procedures of their ambiti that wait for them (applications to decide,
    deadlines passed, reports to review)."""
    ids = managed_ambito_ids(user)
    if not ids:
        return []
    # How many applications wait is the RUP's to know (before the results it reveals how many
    # applied), so it is counted on the procedures the user is the RUP of.
    qs = (
        Procedure.objects.filter(ambito_id__in=ids)
        .exclude(status__in=[workflow.CLOSED, workflow.CANCELLED])
        .annotate(
            pending=Count(
                "applications",
                filter=Q(
                    applications__status__in=["submitted", "integration", "pre_rejection"],
                    rup=user,
                ),
                distinct=True,
            )
        )
        .order_by("-updated_at")[:20]
    )
    return list(qs)


def administered_entities(user) -> QuerySet[Entity]:
    return Entity.objects.filter(
        pk__in=administered_entity_ids(user), status=Entity.Status.VERIFIED
    ).order_by("name")


def application_visible(user, application: Application) -> bool:
    return application_policy.visible(user).filter(pk=application.pk).exists()


def commission_seats(user):
    """The evaluation commissions the user sits on, of procedures still open."""
    if not getattr(user, "is_authenticated", False):
        return CommissionMember.objects.none()
    return (
        CommissionMember.objects.filter(user=user)
        .exclude(procedure__status__in=[workflow.CLOSED, workflow.CANCELLED])
        .select_related("procedure")
        .order_by("-appointed_at")
    )
