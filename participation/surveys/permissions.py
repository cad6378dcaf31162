"""Who may see, answer and manage a survey.

- The Ufficio di Piano of the survey's ambito builds, publishes and closes it; the ambito's staff
  (comune staff included) read its results and download the answers.
- Once published, a survey is seen by its audience: everyone (a public survey: answering needs
  an account), the members of its table, or the members of the ambito's entities working in one
  of its target groups. Drafts are seen by the ambito's staff only (404 to the others).
- A survey answered per entity is answered on behalf of an entity the user belongs to (or holds
  the table seat of), once per entity; per person, once per user."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from ambito.permissions import is_staff_of, is_ufficio_di_piano, staff_ambito_ids
from core.permissions import Policy
from entities.models import Entity
from entities.permissions import member_entity_ids
from participation.models import Response, Survey
from participation.permissions import seat_holder_table_ids
from tables.models import TableMembership


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _target_group_survey_ids(user) -> QuerySet:
    """Ids of surveys addressed to a target group one of the user's entities works in (entities
    of the survey's own ambito)."""
    entities = Entity.objects.filter(pk__in=member_entity_ids(user))
    return Survey.target_groups.through.objects.filter(
        targetgroup__entities__in=entities,
        survey__ambito_id__in=entities.values("ambito_id"),
    ).values("survey_id")


class SurveyPolicy(Policy[Survey]):
    model = Survey

    def visible(self, user) -> QuerySet[Survey]:
        audience = Q(audience=Survey.Audience.PUBLIC)
        if _authenticated(user):
            audience |= Q(audience=Survey.Audience.TABLE, table_id__in=seat_holder_table_ids(user))
            if member_entity_ids(user):
                audience |= Q(
                    audience=Survey.Audience.TARGET_GROUPS, pk__in=_target_group_survey_ids(user)
                )
        q = Q(status=Survey.Status.PUBLISHED) & audience
        if _authenticated(user):
            q |= Q(ambito_id__in=staff_ambito_ids(user))
        return Survey.objects.filter(q)

    def can_change(self, user, obj: Survey) -> bool:
        return is_ufficio_di_piano(user, obj.ambito_id)


survey_policy = SurveyPolicy()


def can_manage_surveys(user) -> bool:
    """Staff of an Ufficio di Piano (who may create surveys in at least one ambito)."""
    return is_ufficio_di_piano(user)


def can_read_results(user, survey: Survey) -> bool:
    return is_staff_of(user, survey.ambito_id)


def eligible_entities(user, survey: Survey) -> QuerySet[Entity]:
    """Entities on whose behalf `user` may answer `survey` (answered or not)."""
    if not _authenticated(user):
        return Entity.objects.none()
    if survey.audience == Survey.Audience.TABLE:
        seats = TableMembership.objects.filter(
            Q(delegate=user) | Q(substitute=user),
            table_id=survey.table_id,
            status=TableMembership.Status.ACTIVE,
            entity__isnull=False,
        ).values("entity_id")
        return Entity.objects.filter(pk__in=seats)
    entities = Entity.objects.filter(pk__in=member_entity_ids(user), ambito_id=survey.ambito_id)
    if survey.audience == Survey.Audience.TARGET_GROUPS:
        groups = survey.target_groups.values("pk")
        entities = entities.filter(
            pk__in=Entity.objects.filter(target_groups__in=groups).values("pk")
        )
    return entities.order_by("name")


def in_audience(user, survey: Survey) -> bool:
    """May `user` answer `survey` at all (whether or not they already did)?"""
    if not _authenticated(user):
        return False
    if survey.per_entity:
        return eligible_entities(user, survey).exists()
    if survey.audience == Survey.Audience.PUBLIC:
        return True
    if survey.audience == Survey.Audience.TABLE:
        return survey.table_id in seat_holder_table_ids(user)
    return eligible_entities(user, survey).exists()


def unanswered_entities(user, survey: Survey) -> QuerySet[Entity]:
    answered = Response.objects.filter(survey=survey, entity__isnull=False).values("entity_id")
    return eligible_entities(user, survey).exclude(pk__in=answered)


def has_answered(user, survey: Survey) -> bool:
    """Per person: the user answered; per entity: every entity the user may answer for did."""
    if not _authenticated(user):
        return False
    if survey.per_entity:
        return not unanswered_entities(user, survey).exists()
    return Response.objects.filter(survey=survey, user=user, entity__isnull=True).exists()


def can_answer(user, survey: Survey, *, now=None) -> bool:
    return (
        survey.is_open(now or timezone.now())
        and in_audience(user, survey)
        and not has_answered(user, survey)
    )
