"""Surveys: save a draft with its questions, publish (the audience is notified), close, answer.
Every change made by staff is audited; answers are not (the results are anonymous)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.notifications import notify
from entities.models import Entity, EntityMembership, TargetGroup
from participation.models import Answer, Question, Response, Survey
from participation.surveys import permissions
from tables.models import TableMembership

AUDIT_FIELDS = ("title", "audience", "respondent", "table_id", "opens_at", "closes_at", "status")
QUESTION_FIELDS = ("kind", "text", "help_text", "required", "options")


@transaction.atomic
def survey_save(
    *,
    survey: Survey,
    by,
    questions: Sequence[Mapping[str, Any]],
    target_groups: Iterable[TargetGroup] = (),
) -> Survey:
    """Create or update a draft survey and replace its questions (a draft has no answers), in
    the order given."""
    if not permissions.is_ufficio_di_piano(by, survey.ambito_id):
        raise PermissionDenied
    if survey.pk and not survey.is_draft:
        raise ValidationError(_("Un questionario pubblicato non si modifica più."))
    creating = survey.pk is None
    before = {} if creating else audit.snapshot(Survey.objects.get(pk=survey.pk), AUDIT_FIELDS)
    if creating:
        survey.created_by = by
    if survey.audience != Survey.Audience.TABLE:
        survey.table = None
    survey.full_clean()
    survey.save()
    survey.target_groups.set(
        target_groups if survey.audience == Survey.Audience.TARGET_GROUPS else []
    )
    survey.questions.all().delete()
    Question.objects.bulk_create(
        Question(survey=survey, position=n, **{f: q[f] for f in QUESTION_FIELDS if f in q})
        for n, q in enumerate(questions, start=1)
    )
    audit.record(
        actor=by,
        action="participation.survey.created" if creating else "participation.survey.updated",
        obj=survey,
        changes={
            **audit.diff(before, audit.snapshot(survey, AUDIT_FIELDS)),
            "questions": {"after": [q["text"] for q in questions]},
        },
        ambito_id=survey.ambito_id,
    )
    return survey


def audience_users(survey: Survey):
    """Who is told that the survey is open: the table's delegates and substitutes, or the members
    of the entities of its target groups (a public survey is announced on the portal only)."""
    User = get_user_model()
    if survey.audience == Survey.Audience.TABLE:
        seats = TableMembership.objects.filter(
            table_id=survey.table_id, status=TableMembership.Status.ACTIVE
        )
        return User.objects.filter(
            Q(pk__in=seats.values("delegate_id")) | Q(pk__in=seats.values("substitute_id"))
        )
    if survey.audience == Survey.Audience.TARGET_GROUPS:
        entities = Entity.objects.filter(
            ambito_id=survey.ambito_id,
            status=Entity.Status.VERIFIED,
            target_groups__in=survey.target_groups.values("pk"),
        ).values("pk")
        members = EntityMembership.objects.filter(entity_id__in=entities, ended_at__isnull=True)
        return User.objects.filter(pk__in=members.values("user_id"))
    return User.objects.none()


@transaction.atomic
def survey_publish(*, survey: Survey, by) -> Survey:
    if not permissions.is_ufficio_di_piano(by, survey.ambito_id):
        raise PermissionDenied
    if not survey.is_draft:
        raise ValidationError(_("Il questionario è già pubblicato."))
    if not survey.questions.exists():
        raise ValidationError(_("Aggiungi almeno una domanda prima di pubblicare."))
    if survey.closes_at <= timezone.now():
        raise ValidationError(_("La data di chiusura è già passata: spostala in avanti."))
    survey.status = Survey.Status.PUBLISHED
    survey.published_at = timezone.now()
    survey.save(update_fields=["status", "published_at", "updated_at"])
    audit.record(
        actor=by,
        action="participation.survey.published",
        obj=survey,
        changes={"status": {"before": Survey.Status.DRAFT, "after": survey.status}},
        ambito_id=survey.ambito_id,
    )
    closes = timezone.localtime(survey.closes_at).strftime("%d/%m/%Y %H:%M")
    notify(
        users=audience_users(survey),
        kind="participation.survey_published",
        title=_("Nuovo questionario: %(title)s") % {"title": survey.title},
        body=_("Puoi rispondere fino al %(closes)s.") % {"closes": closes},
        url=survey.get_absolute_url(),
        ambito_id=survey.ambito_id,
    )
    return survey


@transaction.atomic
def survey_close(*, survey: Survey, by) -> Survey:
    """Close an open survey now (answers stop being accepted)."""
    if not permissions.is_ufficio_di_piano(by, survey.ambito_id):
        raise PermissionDenied
    now = timezone.now()
    if survey.is_draft or survey.closes_at <= now:
        raise ValidationError(_("Il questionario non è aperto."))
    before = survey.closes_at
    survey.closes_at = max(now, survey.opens_at + timedelta(seconds=1))
    survey.save(update_fields=["closes_at", "updated_at"])
    audit.record(
        actor=by,
        action="participation.survey.closed",
        obj=survey,
        changes=audit.diff({"closes_at": before}, {"closes_at": survey.closes_at}),
        ambito_id=survey.ambito_id,
    )
    return survey


@transaction.atomic
def response_submit(
    *, survey: Survey, user, entity: Entity | None, values: Mapping[int, Sequence[str]]
) -> Response:
    """Record one response: `values` maps each question's id to the values given (several for a
    multiple choice, none for an unanswered optional question). A second response of the same
    person (or entity) is refused by the database as well as here."""
    if not survey.is_open() or not permissions.in_audience(user, survey):
        raise PermissionDenied
    if survey.per_entity:
        if entity is None or not permissions.eligible_entities(user, survey).filter(pk=entity.pk):
            raise PermissionDenied
    else:
        entity = None
    questions = {q.pk: q for q in survey.questions.all()}
    for q in questions.values():
        given = [v for v in values.get(q.pk, ()) if v]
        if q.required and not given:
            raise ValidationError(_("Rispondi a tutte le domande obbligatorie."))
        if q.kind != Question.Kind.TEXT and not set(given) <= set(q.option_list):
            raise ValidationError(_("Una risposta non è tra le opzioni previste."))
    try:
        with transaction.atomic():
            response = Response.objects.create(survey=survey, user=user, entity=entity)
    except IntegrityError as exc:
        raise ValidationError(
            _("Questo ente ha già risposto al questionario.")
            if entity
            else _("Hai già risposto al questionario.")
        ) from exc
    Answer.objects.bulk_create(
        Answer(response=response, question_id=pk, value=v)
        for pk, given in values.items()
        if pk in questions
        for v in given
        if v
    )
    return response
