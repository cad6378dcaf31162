"""Every change of state of a procedure and its applications: one function per use case,
keyword-only, atomic, audited. Views call these; nothing else writes processes' rows."""

from __future__ import annotations

import calendar
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from core import audit
from core.models import OutgoingEmail
from core.notifications import notify
from core.storage import sha256_of
from entities.models import Entity, EntityMembership
from processes import guards, protocol, workflow
from processes.models import (
    Accreditation,
    AccreditationEvent,
    Agreement,
    Application,
    ApplicationDocument,
    ApplicationStatus,
    BudgetLine,
    CommissionMember,
    Criterion,
    Declaration,
    ExclusionNotice,
    IntegrationRequest,
    Notice,
    OutcomeDocument,
    Procedure,
    ProcedureStep,
    Report,
    ReportCost,
    Score,
    WindowReopening,
)
from tables.models import Table, TableMembership

logger = logging.getLogger(__name__)

PROCEDURE_FIELDS = [
    "kind",
    "title",
    "subject",
    "status",
    "rup",
    "origin",
    "requesting_entity",
    "budget",
    "duration_months",
    "cup",
    "legal_basis",
    "activities",
    "target_groups",
    "tables",
    "accreditation_list",
]


class TransitionRefused(ValidationError):
    """A move of the state machine that is not allowed now; the message says why."""


def _entity_admins(entity_ids: Iterable[int]):
    from core.models import User

    return User.objects.filter(
        entity_memberships__entity_id__in=list(entity_ids),
        entity_memberships__ended_at__isnull=True,
        entity_memberships__role=EntityMembership.Role.ADMIN,
    ).distinct()


def _lock(procedure: Procedure) -> Procedure:
    return Procedure.objects.select_for_update().get(pk=procedure.pk)


# --- procedure ------------------------------------------------------------------------------
@transaction.atomic
def procedure_create(
    *, ambito, actor, data: dict, activities=(), target_groups=(), tables=()
) -> Procedure:
    procedure = Procedure(ambito=ambito, created_by=actor, status=workflow.STARTED, **data)
    if procedure.origin == Procedure.Origin.EX_OFFICIO:
        procedure.requesting_entity = None
    procedure.full_clean()
    procedure.save()
    procedure.activities.set(activities)
    procedure.target_groups.set(target_groups)
    procedure.tables.set(tables)
    ProcedureStep.objects.create(
        procedure=procedure, from_status="", to_status=workflow.STARTED, actor=actor
    )
    audit.record(
        actor=actor,
        action="processes.procedure_created",
        obj=procedure,
        changes=audit.diff({}, audit.snapshot(procedure, PROCEDURE_FIELDS)),
        ambito_id=ambito.pk,
    )
    return procedure


@transaction.atomic
def procedure_update(
    *, procedure: Procedure, actor, data: dict, activities=None, target_groups=None, tables=None
) -> Procedure:
    before = audit.snapshot(procedure, PROCEDURE_FIELDS)
    for name, value in data.items():
        setattr(procedure, name, value)
    if procedure.origin == Procedure.Origin.EX_OFFICIO:
        procedure.requesting_entity = None
    procedure.full_clean()
    procedure.save()
    if activities is not None:
        procedure.activities.set(activities)
    if target_groups is not None:
        procedure.target_groups.set(target_groups)
    if tables is not None:
        procedure.tables.set(tables)
    changes = audit.diff(before, audit.snapshot(procedure, PROCEDURE_FIELDS))
    if changes:
        audit.record(
            actor=actor,
            action="processes.procedure_updated",
            obj=procedure,
            changes=changes,
            ambito_id=procedure.ambito_id,
        )
    return procedure


def _apply_move(
    procedure: Procedure,
    target: str,
    *,
    actor,
    act_reference: str = "",
    act_date: date | None = None,
    note: str = "",
) -> ProcedureStep:
    source = procedure.status
    reason = guards.refusal(procedure, target)
    if reason:
        raise TransitionRefused(reason)
    procedure.status = target
    procedure.save(update_fields=["status", "updated_at"])
    step = ProcedureStep.objects.create(
        procedure=procedure,
        from_status=source,
        to_status=target,
        act_reference=act_reference,
        act_date=act_date,
        note=note,
        actor=actor,
    )
    audit.record(
        actor=actor,
        action="processes.procedure_moved",
        obj=procedure,
        changes={"status": {"before": source, "after": target}, "act": act_reference},
        reason=note,
        ambito_id=procedure.ambito_id,
    )
    return step


@transaction.atomic
def procedure_transition(
    *,
    procedure: Procedure,
    target: str,
    actor,
    act_reference: str = "",
    act_date: date | None = None,
    note: str = "",
) -> ProcedureStep:
    """Apply one move of the kind's state machine; refuse it (TransitionRefused) with the reason."""
    procedure = _lock(procedure)
    if target in (workflow.EVALUATION, workflow.RANKING_PUBLISHED):
        # ties that arose from changes of an entity's people are on record before marks count
        commission_exclusions_record(procedure=procedure)
    move = workflow.find_move(procedure.kind, procedure.status, target)
    if move is not None and not move.manual:
        raise TransitionRefused(
            _(
                "Questo passaggio avviene con un'azione dedicata (per esempio la pubblicazione dell'avviso)."
            )
        )
    step = _apply_move(
        procedure, target, actor=actor, act_reference=act_reference, act_date=act_date, note=note
    )
    if target == workflow.RANKING_PUBLISHED:
        ranking_apply(procedure=procedure, actor=actor)
    if target in (workflow.RANKING_PUBLISHED, "table"):
        _seat_admitted(procedure=procedure, actor=actor)
        _notify_decisions(procedure)
    if target == workflow.OUTCOME_OF.get(procedure.kind):
        _disclose_reserved_table(procedure, actor=actor)
    return step


@transaction.atomic
def procedure_cancel(*, procedure: Procedure, actor, reason: str) -> ProcedureStep:
    if not reason.strip():
        raise TransitionRefused(
            _("Per annullare il procedimento serve una motivazione, che sarà pubblica.")
        )
    procedure = _lock(procedure)
    step = _apply_move(procedure, workflow.CANCELLED, actor=actor, note=reason)
    Procedure.objects.filter(pk=procedure.pk).update(
        cancel_reason=reason, cancelled_at=timezone.now()
    )
    _disclose_reserved_table(procedure, actor=actor)
    people = _entity_admins(
        procedure.applications.exclude(status=ApplicationStatus.DRAFT).values_list(
            "entity_id", flat=True
        )
    )
    notify(
        ambito_id=procedure.ambito_id,
        users=list(people),
        kind="processes.cancelled",
        title=_("Procedimento annullato: %(t)s") % {"t": procedure.title},
        url=procedure.get_absolute_url(),
        body=reason,
    )
    return step


def _reserved_table(procedure: Procedure, *, actor) -> Table:
    """The table where the admitted entities of a co-progettazione work: reserved to them, to the
    RUP (its coordinator) and to the ambito's staff; created the first time it is needed."""
    if procedure.reserved_table_id:
        return procedure.reserved_table
    from tables import services as table_services

    table = table_services.reserved_table_create(
        ambito=procedure.ambito,
        name=_("Tavolo di co-progettazione — %(t)s") % {"t": procedure.title},
        slug=f"coprogettazione-{procedure.pk}",
        description=_(
            "Tavolo riservato agli enti ammessi alla co-progettazione «%(t)s», al RUP e allo "
            "staff dell'ambito. Sedute e verbali diventano pubblici con l'esito del procedimento."
        )
        % {"t": procedure.title},
        coordinators=[procedure.rup] if procedure.rup_id else [],
        themes=procedure.target_groups.all(),
        actor=actor,
    )
    Procedure.objects.filter(pk=procedure.pk).update(reserved_table=table)
    procedure.reserved_table = table
    return table


def _disclose_reserved_table(procedure: Procedure, *, actor) -> None:
    """The outcome is public (or the procedure ended): so are the reserved table's records."""
    if procedure.reserved_table_id:
        from tables import services as table_services

        table_services.table_disclose(
            table=procedure.reserved_table,
            actor=actor,
            reason=_("Esito del procedimento «%(t)s» pubblicato.") % {"t": procedure.title},
        )


def _seat_admitted(*, procedure: Procedure, actor) -> int:
    """Admitted applicants become active members: in a co-progettazione, of the table reserved
    to the procedure (not of the open thematic tables, where excluded competitors sit); in the
    other kinds, of the procedure's tables."""
    admitted = list(
        procedure.applications.filter(status=ApplicationStatus.ADMITTED).select_related("entity")
    )
    if procedure.kind == Procedure.Kind.CODESIGN:
        tables = [_reserved_table(procedure, actor=actor)] if admitted else []
    else:
        tables = list(procedure.tables.all())
    now = timezone.now()
    created = 0
    for table in tables:
        open_seats = {
            m.entity_id: m
            for m in TableMembership.objects.filter(
                table=table, entity__isnull=False, status__in=["requested", "active"]
            )
        }
        for application in admitted:
            seat = open_seats.get(application.entity_id)
            delegate = application.submitted_by
            if seat is None and delegate is not None:
                seat = TableMembership.objects.create(
                    table=table,
                    kind=TableMembership.Kind.ENTITY,
                    entity=application.entity,
                    delegate=delegate,
                    status=TableMembership.Status.ACTIVE,
                    motivation=_("Ammesso al procedimento «%(t)s».") % {"t": procedure.title},
                    decided_at=now,
                    decided_by=actor,
                )
                created += 1
                audit.record(
                    actor=actor,
                    action="tables.membership_from_procedure",
                    obj=seat,
                    ambito_id=procedure.ambito_id,
                )
            elif seat is not None and seat.status != TableMembership.Status.ACTIVE:
                seat.status = TableMembership.Status.ACTIVE
                seat.decided_at, seat.decided_by = now, actor
                seat.save(update_fields=["status", "decided_at", "decided_by"])
                audit.record(
                    actor=actor,
                    action="tables.membership_from_procedure",
                    obj=seat,
                    ambito_id=procedure.ambito_id,
                )
    return created


def _notify_decisions(procedure: Procedure) -> None:
    url = procedure.get_absolute_url()
    for application in procedure.applications.filter(
        status__in=[ApplicationStatus.ADMITTED, ApplicationStatus.NOT_ADMITTED]
    ):
        notify(
            ambito_id=procedure.ambito_id,
            users=list(_entity_admins([application.entity_id])),
            kind="processes.outcome",
            title=_("Esito pubblicato per «%(t)s»: %(s)s")
            % {"t": procedure.title, "s": application.status_label},
            url=url,
            body=application.decision_reason,
        )


# --- notice ---------------------------------------------------------------------------------
@dataclass
class CriterionData:
    name: str
    weight: int
    description: str = ""


NOTICE_FIELDS = [
    "subject",
    "requirements",
    "documents_required",
    "deadline",
    "admission_threshold",
    "correction_note",
]


LOCKED_NOTICE_FIELDS = ("requirements", "documents_required", "admission_threshold")


def _when(moment: datetime) -> str:
    """ "14/03/2031 alle 12:00", Italian time."""
    local = timezone.localtime(moment)
    return _("%(d)s alle %(t)s") % {"d": local.strftime("%d/%m/%Y"), "t": local.strftime("%H:%M")}


def _criteria_rows(criteria) -> list[tuple[str, int, str]]:
    return [(c.name.strip(), int(c.weight), (c.description or "").strip()) for c in criteria]


def _locked_fields(procedure: Procedure) -> tuple[str, ...]:
    """The admission requirements of the avviso (the threshold only where there is a ranking)."""
    if procedure.is_codesign:
        return LOCKED_NOTICE_FIELDS
    return tuple(f for f in LOCKED_NOTICE_FIELDS if f != "admission_threshold")


def _locked_value(name: str, value):
    if name == "admission_threshold":
        return None if value in (None, "") else Decimal(value)
    return (value or "").strip()


def _correction_errors(
    procedure: Procedure, *, values: dict, criteria: Sequence
) -> dict[str, list[str]]:
    """What would make a new version of the published avviso unfair: a shorter deadline (ever);
    once the first application is in, other criteria, weights or admission requirements."""
    procedure = Procedure.objects.get(pk=procedure.pk)  # fresh: the lock may have just engaged
    current = procedure.current_notice
    if current is None:
        return {}
    errors: dict[str, list[str]] = {}
    before, after = procedure.effective_deadline, values.get("deadline")
    if (before is None and after is not None and procedure.is_open_list) or (
        before is not None and (after is None or after < before)
    ):
        errors["deadline"] = [
            _(
                "Il termine non si anticipa: la nuova versione deve avere un termine uguale o "
                "successivo a quello in vigore (%(d)s)."
            )
            % {"d": _when(before) if before else _("elenco aperto senza scadenza")}
        ]
    if procedure.notice_locked_at is not None:
        locked = _("Bloccato dalla prima domanda presentata (%(d)s): non si modifica più.") % {
            "d": _when(procedure.notice_locked_at)
        }
        for name in _locked_fields(procedure):
            if _locked_value(name, values.get(name)) != _locked_value(name, getattr(current, name)):
                errors[name] = [locked]
        if _criteria_rows(criteria) != _criteria_rows(current.criteria.all()):
            errors[NON_FIELD_ERRORS] = [
                _(
                    "I criteri di valutazione e i loro pesi sono bloccati dalla prima domanda "
                    "presentata (%(d)s): non si modificano più."
                )
                % {"d": _when(procedure.notice_locked_at)}
            ]
    return errors


@transaction.atomic
def notice_save_draft(
    *, procedure: Procedure, actor, data: dict, criteria: Sequence[CriterionData] = ()
) -> Notice:
    """Create or update the draft version of the avviso (the first, or a correction). A
    correction never shortens the deadline, and keeps criteria, weights and admission
    requirements once the first application has been submitted."""
    if workflow.is_terminal(procedure.status):
        raise ValidationError(_("Il procedimento è concluso: l'avviso non si modifica più."))
    errors = _correction_errors(procedure, values=data, criteria=criteria)
    if errors:
        raise ValidationError(errors)
    draft = procedure.notices.filter(published_at__isnull=True).first()
    if draft is None:
        last = procedure.notices.order_by("-version").first()
        draft = Notice(procedure=procedure, version=(last.version + 1) if last else 1)
    before = audit.snapshot(draft, NOTICE_FIELDS) if draft.pk else {}
    for name, value in data.items():
        setattr(draft, name, value)
    draft.full_clean()
    draft.save()
    draft.criteria.all().delete()
    Criterion.objects.bulk_create(
        [
            Criterion(
                notice=draft, name=c.name, description=c.description, weight=c.weight, order=i
            )
            for i, c in enumerate(criteria)
        ]
    )
    audit.record(
        actor=actor,
        action="processes.notice_saved",
        obj=draft,
        changes={
            **audit.diff(before, audit.snapshot(draft, NOTICE_FIELDS)),
            "criteria": [f"{c.name} ({c.weight})" for c in criteria],
        },
        ambito_id=procedure.ambito_id,
    )
    return draft


GOOD_PRACTICE_DAYS = 20


def notice_warnings(notice: Notice) -> list[str]:
    """Advice that does not block publication."""
    if notice.deadline and notice.deadline < timezone.now() + timedelta(days=GOOD_PRACTICE_DAYS):
        return [
            _(
                "Il termine è a meno di %(n)d giorni da oggi: la buona pratica è lasciare almeno %(n)d giorni agli enti."
            )
            % {"n": GOOD_PRACTICE_DAYS}
        ]
    return []


def notice_problems(notice: Notice) -> list[str]:
    """What prevents publishing `notice` (empty when it can be published)."""
    problems = []
    procedure = notice.procedure
    if notice.deadline is None:
        if not procedure.is_open_list:
            problems.append(_("Indica il termine per le domande."))
    elif notice.deadline <= timezone.now():
        problems.append(_("Il termine per le domande deve essere nel futuro."))
    if procedure.is_codesign:
        weights = [c.weight for c in notice.criteria.all()]
        if not weights:
            problems.append(_("Indica i criteri di valutazione con i loro pesi."))
        elif sum(weights) != 100:
            problems.append(
                _("I pesi dei criteri devono sommare a 100 (ora sommano a %(n)d).")
                % {"n": sum(weights)}
            )
        if notice.admission_threshold is None:
            problems.append(_("Indica la soglia di ammissione."))
    if notice.is_correction:
        values = {name: getattr(notice, name) for name in ("deadline", *_locked_fields(procedure))}
        errors = _correction_errors(procedure, values=values, criteria=notice.criteria.all())
        problems += [message for messages in errors.values() for message in messages]
    return problems


def notice_changes(notice: Notice) -> list[str]:
    """What a correction changes from the version before it, in words (for the e-mail, the
    notification and the page)."""
    previous = (
        notice.procedure.notices.filter(published_at__isnull=False, version__lt=notice.version)
        .order_by("-version")
        .first()
    )
    if previous is None:
        return []
    changes = []
    # The deadline in force before this version: the previous one's, or a later reopening's.
    reopenings = notice.procedure.reopenings.all()
    if notice.published_at:
        reopenings = reopenings.filter(created_at__lte=notice.published_at)
    before = max(
        (d for d in (previous.deadline, *reopenings.values_list("until", flat=True)) if d),
        default=None,
    )
    if notice.deadline != before and notice.deadline is not None:
        if before is None:
            changes.append(
                _("Termine per le domande: fissato al %(d)s.") % {"d": _when(notice.deadline)}
            )
        else:
            changes.append(
                _("Termine per le domande: prorogato dal %(a)s al %(b)s.")
                % {"a": _when(before), "b": _when(notice.deadline)}
            )
    labels = {
        "subject": _("Oggetto dell'avviso: modificato."),
        "requirements": _("Requisiti di partecipazione: modificati."),
        "documents_required": _("Documenti da allegare: modificati."),
        "admission_threshold": _("Soglia di ammissione: modificata."),
    }
    if not notice.procedure.is_codesign:
        del labels["admission_threshold"]
    for name, text in labels.items():
        if _locked_value(name, getattr(notice, name)) != _locked_value(
            name, getattr(previous, name)
        ):
            changes.append(text)
    if _criteria_rows(notice.criteria.all()) != _criteria_rows(previous.criteria.all()):
        changes.append(_("Criteri di valutazione e pesi: modificati."))
    return changes


@transaction.atomic
def notice_publish(*, notice: Notice, actor) -> Notice:
    """Publish (and so freeze) the draft version. The first publication opens the procedure and
    notifies the matching entities; later ones are dated corrections."""
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.published_at is not None:
        raise ValidationError(_("Questa versione dell'avviso è già pubblicata."))
    # Locked first: a submission taking the lock at this moment waits, or is seen.
    procedure = _lock(notice.procedure)
    notice.procedure = procedure
    problems = notice_problems(notice)
    if problems:
        raise ValidationError(problems)
    notice.published_at = timezone.now()
    notice.published_by = actor
    notice.save(update_fields=["published_at", "published_by", "updated_at"])
    audit.record(
        actor=actor,
        action="processes.notice_published"
        if notice.version == 1
        else "processes.notice_corrected",
        obj=notice,
        changes={"version": notice.version, "deadline": notice.deadline},
        reason=notice.correction_note,
        ambito_id=procedure.ambito_id,
    )
    if procedure.status == workflow.STARTED:
        procedure.__dict__.pop("current_notice", None)
        _apply_move(procedure, workflow.NOTICE_PUBLISHED, actor=actor, note=_("Avviso pubblicato."))
    from processes.tasks import notify_notice_published

    transaction.on_commit(lambda: notify_notice_published.delay(notice.pk))
    return notice


def procedure_audience(procedure: Procedure) -> list[Entity]:
    """Who hears of the avviso, its corrections and its reopenings: the verified entities whose
    activities or target groups match (for a co-progettazione that draws on an accreditation
    list, the entities accredited when it opened), and every entity that started an
    application, draft or submitted."""
    from processes.selectors import accredited_entities, matching_entities

    if procedure.accreditation_list_id:
        entities = list(
            accredited_entities(
                procedure.accreditation_list, at=procedure.opened_at or timezone.now()
            )
        )
    else:
        entities = list(matching_entities(procedure))
    applicants = (
        Entity.objects.filter(applications__procedure=procedure)
        .exclude(pk__in=[e.pk for e in entities])
        .distinct()
    )
    return entities + list(applicants)


def notice_notify(notice_id: int) -> int:
    """E-mail the procedure's audience (procedure_audience) and notify their administrators in
    the portal; a correction says what changes. Claimed once: a retry sends nothing twice."""
    from core import mail

    with transaction.atomic():
        if not Notice.objects.filter(
            pk=notice_id, notified_at__isnull=True, published_at__isnull=False
        ).update(notified_at=timezone.now()):
            return 0
        notice = Notice.objects.select_related("procedure__ambito").get(pk=notice_id)
        procedure = notice.procedure
        entities = procedure_audience(procedure)
        changes = notice_changes(notice)
        deadline = procedure.effective_deadline
        ctx = {
            "notice": notice,
            "procedure": procedure,
            "deadline": timezone.localtime(deadline) if deadline else None,
            "changes": changes,
        }
        mail.enqueue_many(
            mail.build(
                "processes_notice",
                {**ctx, "entity": e},
                to=e.email,
                ambito_id=procedure.ambito_id,
            )
            for e in entities
            if e.email
        )
        if notice.version == 1:
            title = _("Nuovo avviso: %(t)s") % {"t": procedure.title}
            body = ""
        else:
            title = _("Rettifica dell'avviso: %(t)s") % {"t": procedure.title}
            body = "\n".join([notice.correction_note, *changes]).strip()
        notify(
            ambito_id=procedure.ambito_id,
            users=list(_entity_admins([e.pk for e in entities])),
            kind="processes.notice",
            title=title,
            url=procedure.get_absolute_url(),
            body=body,
        )
    return len(entities)


@transaction.atomic
def window_reopen(*, procedure: Procedure, actor, until: datetime, reason: str) -> WindowReopening:
    """Reopen (or extend) the window for applications: only to a later time than the one in
    force; published on the procedure's page and told to its audience."""
    if not reason.strip():
        raise ValidationError({"reason": _("Indica perché riapri i termini.")})
    procedure = _lock(procedure)
    if procedure.status not in (workflow.NOTICE_PUBLISHED, workflow.ADMISSION):
        raise ValidationError(
            _("I termini si riaprono solo mentre le domande o l'istruttoria sono in corso.")
        )
    before = procedure.effective_deadline
    if before is None:
        raise ValidationError(_("Questo elenco è aperto senza scadenza: non c'è un termine."))
    if until <= before or until <= timezone.now():
        raise ValidationError(
            {
                "until": _(
                    "Il nuovo termine deve essere nel futuro e successivo a quello in vigore "
                    "(%(d)s)."
                )
                % {"d": _when(before)}
            }
        )
    reopening = WindowReopening.objects.create(
        procedure=procedure, until=until, reason=reason, created_by=actor, created_at=timezone.now()
    )
    audit.record(
        actor=actor,
        action="processes.window_reopened",
        obj=procedure,
        changes={"deadline": {"before": before, "after": until}},
        reason=reason,
        ambito_id=procedure.ambito_id,
    )
    from processes.tasks import notify_window_reopened

    transaction.on_commit(lambda: notify_window_reopened.delay(reopening.pk))
    return reopening


def window_reopening_notify(reopening_id: int) -> int:
    """E-mail the procedure's audience the new deadline and why; notify their administrators.
    Claimed once: a retry sends nothing twice."""
    from core import mail

    with transaction.atomic():
        if not WindowReopening.objects.filter(pk=reopening_id, notified_at__isnull=True).update(
            notified_at=timezone.now()
        ):
            return 0
        reopening = WindowReopening.objects.select_related("procedure__ambito").get(pk=reopening_id)
        procedure = reopening.procedure
        entities = procedure_audience(procedure)
        ctx = {
            "procedure": procedure,
            "reopening": reopening,
            "until": timezone.localtime(reopening.until),
        }
        mail.enqueue_many(
            mail.build(
                "processes_reopened",
                {**ctx, "entity": e},
                to=e.email,
                ambito_id=procedure.ambito_id,
            )
            for e in entities
            if e.email
        )
        notify(
            ambito_id=procedure.ambito_id,
            users=list(_entity_admins([e.pk for e in entities])),
            kind="processes.reopened",
            title=_("Termini riaperti per «%(t)s» fino al %(d)s")
            % {"t": procedure.title, "d": _when(reopening.until)},
            url=procedure.get_absolute_url(),
            body=reopening.reason,
        )
    return len(entities)


# --- applications ---------------------------------------------------------------------------
def _require_open(procedure: Procedure) -> None:
    """Refuse when the window for applications is closed, by the server's clock."""
    deadline = procedure.effective_deadline
    if procedure.status not in (workflow.NOTICE_PUBLISHED, workflow.ADMISSION) or (
        deadline is None and not procedure.accepts_applications
    ):
        raise ValidationError(_("Il procedimento non accetta domande."), code="closed")
    if deadline is None:  # an open list
        return
    if timezone.now() > deadline:
        raise ValidationError(
            _(
                "Il termine per presentare le domande è scaduto il %(d)s alle %(t)s: la domanda non può più essere presentata."
            )
            % {
                "d": timezone.localtime(deadline).strftime("%d/%m/%Y"),
                "t": timezone.localtime(deadline).strftime("%H:%M"),
            },
            code="late",
        )


def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 - months, 12)
    year, month = day.year + year, month + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def _require_art56(entity: Entity) -> None:
    """Art. 56 CTS: only ODV and APS registered in the RUNTS for at least six months."""
    if entity.legal_form not in (Entity.LegalForm.ODV, Entity.LegalForm.APS):
        raise ValidationError(
            _(
                "Alle convenzioni dell'art. 56 partecipano solo organizzazioni di volontariato e associazioni di promozione sociale."
            )
        )
    registered = entity.runts_status == Entity.RunstStatus.REGISTERED and entity.runts_date
    if not registered or entity.runts_date > _months_before(timezone.localdate(), 6):
        raise ValidationError(
            _(
                "Alle convenzioni dell'art. 56 partecipano solo enti iscritti al RUNTS da almeno sei mesi."
            )
        )


@transaction.atomic
def application_start(*, procedure: Procedure, entity: Entity, actor) -> Application:
    _require_open(procedure)
    if not entity.is_verified:
        raise ValidationError(_("Solo gli enti verificati possono presentare domanda."))
    if not entity.may_apply_to_procedures:  # art. 4 c. 2 CTS: entities.models.LEGAL_FORM_RULES
        raise ValidationError(
            _("Solo gli enti del Terzo settore presentano domanda: %(why)s.")
            % {"why": entity.legal_form_rule.note}
        )
    if procedure.kind == Procedure.Kind.AGREEMENT_56:
        _require_art56(entity)
    _require_accredited(procedure, entity)
    application, created = Application.objects.get_or_create(procedure=procedure, entity=entity)
    if created:
        audit.record(
            actor=actor,
            action="processes.application_started",
            obj=application,
            ambito_id=procedure.ambito_id,
        )
    return application


APPLICATION_FIELDS = ["declarations", "proposal", "partners", "lead_entity"]


@transaction.atomic
def application_update(
    *,
    application: Application,
    actor,
    declarations: Sequence[str],
    proposal: str = "",
    partners: Iterable[Entity] = (),
    lead_entity: Entity | None = None,
    budget: Sequence[tuple[str, Decimal, Decimal]] = (),
) -> Application:
    if not application.is_editable:
        raise ValidationError(_("La domanda è già stata presentata e non si modifica più."))
    partners = [p for p in partners if p.pk != application.entity_id]
    if (
        lead_entity is not None
        and lead_entity.pk != application.entity_id
        and lead_entity not in partners
    ):
        raise ValidationError(
            {
                "lead_entity": _(
                    "Il capofila deve essere l'ente che presenta la domanda o uno dei partner."
                )
            }
        )
    before = audit.snapshot(application, APPLICATION_FIELDS)
    application.declarations = sorted(set(declarations) & set(Declaration.values))
    application.proposal = proposal
    application.lead_entity = (
        None if lead_entity is None or lead_entity.pk == application.entity_id else lead_entity
    )
    application.save()
    application.partners.set(partners)
    application.budget_lines.all().delete()
    BudgetLine.objects.bulk_create(
        [
            BudgetLine(application=application, description=d, amount=a, cofinancing=c)
            for d, a, c in budget
        ]
    )
    changes = audit.diff(before, audit.snapshot(application, APPLICATION_FIELDS))
    audit.record(
        actor=actor,
        action="processes.application_saved",
        obj=application,
        changes=changes,
        ambito_id=application.procedure.ambito_id,
    )
    return application


@transaction.atomic
def application_document_add(
    *,
    application: Application,
    actor,
    title: str,
    file,
    integration_request: IntegrationRequest | None = None,
    exclusion_notice: ExclusionNotice | None = None,
) -> ApplicationDocument:
    """An attachment of a draft, or of an answer (soccorso istruttorio, art. 10-bis observations)."""
    if integration_request is None and exclusion_notice is None and not application.is_editable:
        raise ValidationError(
            _("La domanda è già stata presentata: gli allegati non si modificano più.")
        )
    document = ApplicationDocument(
        application=application,
        title=title,
        file=file,
        uploaded_by=actor,
        integration_request=integration_request,
        exclusion_notice=exclusion_notice,
    )
    document.full_clean()
    document.save()
    audit.record(
        actor=actor,
        action="processes.document_added",
        obj=application,
        changes={"document": title},
        ambito_id=application.procedure.ambito_id,
    )
    return document


@transaction.atomic
def application_document_remove(*, document: ApplicationDocument, actor) -> None:
    application = document.application
    if not application.is_editable:
        raise ValidationError(
            _("La domanda è già stata presentata: gli allegati non si modificano più.")
        )
    title = document.title
    document.file.delete(save=False)
    document.delete()
    audit.record(
        actor=actor,
        action="processes.document_removed",
        obj=application,
        changes={"document": title},
        ambito_id=application.procedure.ambito_id,
    )


def submission_problems(application: Application) -> list[str]:
    problems = []
    missing = [d.label for d in Declaration if d.value not in application.declarations]
    if missing:
        problems.append(
            ngettext(
                "Spunta tutte le dichiarazioni (ne manca %(n)d).",
                "Spunta tutte le dichiarazioni (ne mancano %(n)d).",
                len(missing),
            )
            % {"n": len(missing)}
        )
    notice = application.procedure.current_notice
    if notice and notice.documents_required.strip() and not application.documents.exists():
        problems.append(_("Allega i documenti richiesti dall'avviso."))
    if application.procedure.is_codesign:
        if not application.proposal.strip():
            problems.append(_("Scrivi la proposta progettuale."))
        if not application.budget_lines.exists():
            problems.append(_("Compila il piano economico della proposta."))
    return problems


def _register(
    *, ambito, kind: str, subject: str, entity: Entity, files=()
) -> protocol.Registration:
    """Register an incoming filing of `entity` with the protocol register (`PROTOCOL_BACKEND`);
    when the register gives no number, the whole submission fails with a message to retry."""
    filing = protocol.Filing(
        ambito=ambito,
        kind=kind,
        subject=subject,
        sender_name=entity.name,
        sender_tax_code=entity.tax_code,
        sender_pec=entity.pec,
        documents=tuple(protocol.Document.of(f) for f in files if f),
    )
    try:
        return protocol.register(filing)
    except protocol.ProtocolUnavailable as exc:
        logger.warning("protocol register unavailable (%s): %s", kind, exc)
        raise ValidationError(protocol.UNAVAILABLE) from exc


def _record_for_rup(
    application: Application, *, actor, action: str, changes: dict, title: str, url: str = ""
):
    """Audit a change of an application and tell the procedure's RUP (notification `action`,
    linking to the application unless `url` says otherwise)."""
    procedure = application.procedure
    audit.record(
        actor=actor, action=action, obj=application, changes=changes, ambito_id=procedure.ambito_id
    )
    if procedure.rup_id:
        notify(
            users=[procedure.rup],
            kind=action,
            title=title,
            url=url or application.get_absolute_url(),
            ambito_id=procedure.ambito_id,
        )


@transaction.atomic
def application_submit(*, application: Application, actor) -> Application:
    application = (
        Application.objects.select_for_update()
        .select_related("procedure__ambito")
        .get(pk=application.pk)
    )
    if application.status != ApplicationStatus.DRAFT:
        raise ValidationError(_("La domanda è già stata presentata."))
    procedure = application.procedure
    _require_open(procedure)
    _require_accredited(procedure, application.entity)
    problems = submission_problems(application)
    if problems:
        raise ValidationError(problems)
    registration = _register(
        ambito=procedure.ambito,
        kind="domanda",
        subject=_("Domanda per «%(t)s»") % {"t": procedure.title},
        entity=application.entity,
        files=[d.file for d in application.documents.all()],
    )
    now = timezone.now()
    application.protocol_number = registration.number
    application.protocol_date = registration.registered_at
    application.status = ApplicationStatus.SUBMITTED
    application.submitted_at = now
    application.submitted_by = actor
    application.save(
        update_fields=[
            "protocol_number",
            "protocol_date",
            "status",
            "submitted_at",
            "submitted_by",
            "updated_at",
        ]
    )
    # The first submission locks the avviso's criteria, weights and admission requirements (the
    # row lock orders this against a correction being published).
    if Procedure.objects.filter(pk=procedure.pk, notice_locked_at__isnull=True).update(
        notice_locked_at=now
    ):
        audit.record(
            actor=actor,
            action="processes.notice_locked",
            obj=procedure,
            changes={"locked_at": now, "protocol_number": application.protocol_number},
            reason=_("Prima domanda presentata: criteri, pesi e requisiti dell'avviso bloccati."),
            ambito_id=procedure.ambito_id,
        )
    _record_for_rup(
        application,
        actor=actor,
        action="processes.application_submitted",
        changes={
            "status": {"before": "draft", "after": "submitted"},
            "protocol_number": application.protocol_number,
        },
        title=_("Nuova domanda per «%(t)s»: %(e)s")
        % {"t": procedure.title, "e": application.entity.name},
    )
    commission_exclusions_record(procedure=procedure)
    from processes.tasks import send_application_receipt

    transaction.on_commit(lambda: send_application_receipt.delay(application.pk))
    return application


@transaction.atomic
def application_withdraw(*, application: Application, actor, reason: str = "") -> Application:
    """The entity takes a submitted application back before the deadline: it returns to draft,
    to be corrected and submitted again (with new declarations and a new number). The number
    it had stays taken and recorded in the audit trail; the entity gets a confirmation."""
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("procedure__ambito", "entity", "submitted_by")
        .get(pk=application.pk)
    )
    if application.status != ApplicationStatus.SUBMITTED:
        raise ValidationError(
            _("Si può ritirare solo una domanda presentata e non ancora esaminata.")
        )
    procedure = application.procedure
    _require_open(procedure)
    withdrawn = {
        "protocol_number": application.protocol_number,
        "submitted_at": application.submitted_at,
        "submitted_by": application.submitted_by,
    }
    if application.receipt:
        storage, name = application.receipt.storage, application.receipt.name
        transaction.on_commit(lambda: storage.delete(name))
    application.receipt = None
    application.status = ApplicationStatus.DRAFT
    application.protocol_number = ""
    application.submitted_at = application.submitted_by = application.receipt_sent_at = None
    application.declarations = []
    application.save(
        update_fields=[
            "status",
            "protocol_number",
            "submitted_at",
            "submitted_by",
            "receipt",
            "receipt_sent_at",
            "declarations",
            "updated_at",
        ]
    )
    _record_for_rup(
        application,
        actor=actor,
        action="processes.application_withdrawn",
        changes={
            "status": {"before": "submitted", "after": "draft"},
            "protocol_number": withdrawn["protocol_number"],
            "reason": reason,
        },
        title=_("Domanda %(n)s ritirata da %(e)s")
        % {"n": withdrawn["protocol_number"], "e": application.entity.name},
        # back in draft, the application is its entity's alone: the RUP goes to the procedure
        url=procedure.get_absolute_url(),
    )
    from core import mail

    ctx = {
        "application": application,
        "procedure": procedure,
        "protocol_number": withdrawn["protocol_number"],
        "submitted_at": timezone.localtime(withdrawn["submitted_at"]),
        "withdrawn_at": timezone.localtime(application.updated_at),
        "deadline": timezone.localtime(procedure.effective_deadline)
        if procedure.effective_deadline
        else None,
        "reason": reason,
    }
    recipients = {application.entity.email, getattr(withdrawn["submitted_by"], "email", "")}
    recipients.add(actor.email)
    for to in sorted(r for r in recipients if r):
        mail.enqueue("processes_withdrawn", ctx, to=to, ambito_id=procedure.ambito_id)
    return application


def application_receipt_send(application_id: int) -> bool:
    """Render the receipt PDF, keep it, and e-mail it to the submitter and the entity. Idempotent."""
    from core import mail, pdf

    with transaction.atomic():
        if not Application.objects.filter(
            pk=application_id, receipt_sent_at__isnull=True, submitted_at__isnull=False
        ).update(receipt_sent_at=timezone.now()):
            return False
        application = Application.objects.select_related(
            "procedure__ambito", "entity", "submitted_by"
        ).get(pk=application_id)
        ctx = {
            "application": application,
            "procedure": application.procedure,
            "documents": list(application.documents.all()),
            "declarations": [d for d in Declaration if d.value in application.declarations],
            "submitted_at": timezone.localtime(application.submitted_at),
            "protocol_date": application.protocol_date
            and timezone.localtime(application.protocol_date),
        }
        content = pdf.render_pdf("pdf/processes_receipt.html", ctx)
        filename = f"ricevuta-{application.protocol_number}.pdf"
        from django.core.files.base import ContentFile

        application.receipt.save(filename, ContentFile(content), save=False)
        Application.objects.filter(pk=application_id).update(receipt=application.receipt.name)
        attachment = mail.Attachment(filename, content, "application/pdf")
        recipients = {application.entity.email}
        if application.submitted_by:
            recipients.add(application.submitted_by.email)
        for to in sorted(r for r in recipients if r):
            mail.enqueue(
                "processes_receipt",
                ctx,
                to=to,
                attachments=[attachment],
                ambito_id=application.procedure.ambito_id,
            )
    return True


@transaction.atomic
def application_decide(
    *, application: Application, actor, admitted: bool, reason: str = ""
) -> Application:
    """Admit an application during the istruttoria (for an accreditamento, at any time the list
    is open: the admission puts the entity on the list). An exclusion is never decided here: it
    goes through the art. 10-bis notice (exclusion_notice_send, then exclusion_confirm)."""
    application = (
        Application.objects.select_for_update()
        .select_related("procedure", "entity")
        .get(pk=application.pk)
    )
    procedure = application.procedure
    if not procedure.in_istruttoria:
        raise ValidationError(_("L'ammissione si decide durante l'istruttoria."))
    if not admitted:
        raise ValidationError(
            _(
                "Una domanda si esclude solo dopo la comunicazione dei motivi ostativi (art. 10-bis "
                "L. 241/1990) e le osservazioni dell'ente: inviala dalla pagina della domanda."
            )
        )
    if application.status == ApplicationStatus.PRE_REJECTION:
        raise ValidationError(
            _(
                "È aperta una comunicazione dei motivi ostativi: prima accogli le osservazioni "
                "dell'ente o conferma l'esclusione."
            )
        )
    if application.status not in (
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.INTEGRATION,
        ApplicationStatus.ADMITTED,
        ApplicationStatus.NOT_ADMITTED,
    ):
        raise ValidationError(_("Questa domanda non è in istruttoria."))
    before = application.status
    now = timezone.now()
    application.status = ApplicationStatus.ADMITTED
    application.decision_reason = reason
    application.decided_at, application.decided_by = now, actor
    application.save(
        update_fields=["status", "decision_reason", "decided_at", "decided_by", "updated_at"]
    )
    audit.record(
        actor=actor,
        action="processes.application_decided",
        obj=application,
        changes={"status": {"before": before, "after": application.status}},
        reason=reason,
        ambito_id=procedure.ambito_id,
    )
    if procedure.is_open_list and before != ApplicationStatus.ADMITTED:
        _accredit(application, actor=actor, when=now)
    return application


@transaction.atomic
def integration_request_create(
    *, application: Application, actor, message: str, deadline: datetime
) -> IntegrationRequest:
    application = (
        Application.objects.select_for_update().select_related("procedure").get(pk=application.pk)
    )
    if not application.procedure.in_istruttoria or application.status not in (
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.INTEGRATION,
    ):
        raise ValidationError(
            _("Il soccorso istruttorio si chiede durante l'istruttoria, su una domanda presentata.")
        )
    if deadline <= timezone.now():
        raise ValidationError({"deadline": _("Il termine per rispondere deve essere nel futuro.")})
    request = IntegrationRequest.objects.create(
        application=application, message=message, deadline=deadline, requested_by=actor
    )
    application.status = ApplicationStatus.INTEGRATION
    application.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action="processes.integration_requested",
        obj=application,
        changes={"deadline": deadline, "message": message},
        ambito_id=application.procedure.ambito_id,
    )
    notify(
        ambito_id=application.procedure.ambito_id,
        users=list(_entity_admins([application.entity_id])),
        kind="processes.integration",
        title=_("Soccorso istruttorio per «%(t)s»: rispondi entro il %(d)s")
        % {
            "t": application.procedure.title,
            "d": timezone.localtime(deadline).strftime("%d/%m/%Y %H:%M"),
        },
        url=application.get_absolute_url(),
        body=message,
    )
    return request


@transaction.atomic
def integration_answer(
    *, request: IntegrationRequest, actor, answer: str, title: str = "", file=None
) -> IntegrationRequest:
    request = (
        IntegrationRequest.objects.select_for_update()
        .select_related("application__procedure")
        .get(pk=request.pk)
    )
    if request.answered_at is not None:
        raise ValidationError(_("Hai già risposto a questa richiesta."))
    if timezone.now() > request.deadline:
        raise ValidationError(
            _("Il termine per rispondere è scaduto il %(d)s.")
            % {"d": timezone.localtime(request.deadline).strftime("%d/%m/%Y %H:%M")}
        )
    application = request.application
    if file is not None:
        application_document_add(
            application=application,
            actor=actor,
            title=title or _("Integrazione"),
            file=file,
            integration_request=request,
        )
    registration = _register(
        ambito=application.procedure.ambito,
        kind="integrazione",
        subject=_("Integrazione alla domanda %(n)s") % {"n": application.protocol_number},
        entity=application.entity,
        files=[d.file for d in request.documents.all()],
    )
    request.answer, request.answered_at, request.answered_by = answer, timezone.now(), actor
    request.protocol_number = registration.number
    request.protocol_date = registration.registered_at
    request.save(
        update_fields=["answer", "answered_at", "answered_by", "protocol_number", "protocol_date"]
    )
    if not application.integration_requests.filter(answered_at__isnull=True).exists():
        Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.SUBMITTED)
    audit.record(
        actor=actor,
        action="processes.integration_answered",
        obj=application,
        changes={"answer": answer},
        ambito_id=application.procedure.ambito_id,
    )
    procedure = application.procedure
    if procedure.rup_id:
        notify(
            ambito_id=application.procedure.ambito_id,
            users=[procedure.rup],
            kind="processes.integration_answered",
            title=_("%(e)s ha risposto al soccorso istruttorio") % {"e": application.entity.name},
            url=application.get_absolute_url(),
        )
    return request


# --- accreditamento: the open list (art. 55 c. 4) -------------------------------------------
def _accredit(application: Application, *, actor, when: datetime) -> Accreditation:
    """Put the admitted entity on the list, dated; tell its administrators."""
    procedure = application.procedure
    accreditation = Accreditation.objects.create(
        procedure=procedure, entity=application.entity, application=application, admitted_at=when
    )
    AccreditationEvent.objects.create(
        accreditation=accreditation,
        kind=AccreditationEvent.Kind.ADMITTED,
        occurred_at=when,
        reason=application.decision_reason,
        actor=actor,
    )
    audit.record(
        actor=actor,
        action="processes.accredited",
        obj=procedure,
        changes={"entity": application.entity.name, "admitted_at": when},
        ambito_id=procedure.ambito_id,
    )
    notify(
        ambito_id=procedure.ambito_id,
        users=list(_entity_admins([application.entity_id])),
        kind="processes.accredited",
        title=_("%(e)s è nell'elenco degli accreditati di «%(t)s»")
        % {"e": application.entity.name, "t": procedure.title},
        url=procedure.get_absolute_url(),
    )
    return accreditation


# Which change may follow which status.
ACCREDITATION_CHANGES = {
    AccreditationEvent.Kind.SUSPENDED: (Accreditation.Status.ACTIVE,),
    AccreditationEvent.Kind.REINSTATED: (Accreditation.Status.SUSPENDED,),
    AccreditationEvent.Kind.REMOVED: (Accreditation.Status.ACTIVE, Accreditation.Status.SUSPENDED),
}


@transaction.atomic
def accreditation_change(
    *, accreditation: Accreditation, actor, kind: str, reason: str
) -> AccreditationEvent:
    """Suspend, reinstate or remove an entity on the list while it is open: dated, with a
    reason that is public on the list, sent to the entity as a formal communication."""
    accreditation = (
        Accreditation.objects.select_for_update(of=("self",))
        .select_related("procedure__ambito", "entity")
        .get(pk=accreditation.pk)
    )
    procedure = accreditation.procedure
    if procedure.status != workflow.NOTICE_PUBLISHED:
        raise ValidationError(_("L'elenco è chiuso: non si modifica più."))
    if accreditation.status not in ACCREDITATION_CHANGES.get(kind, ()):
        raise ValidationError(
            _("Questa variazione non si applica a un ente «%(s)s».")
            % {"s": accreditation.get_status_display()}
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Indica la motivazione: sarà pubblica nell'elenco.")})
    before = accreditation.status
    event = AccreditationEvent.objects.create(
        accreditation=accreditation,
        kind=kind,
        occurred_at=timezone.now(),
        reason=reason.strip(),
        actor=actor,
    )
    accreditation.status = AccreditationEvent.STATUS_AFTER[kind]
    accreditation.save(update_fields=["status"])
    event.communication = send_formal_communication(
        entity=accreditation.entity,
        template="processes_accreditation_change",
        context={"procedure": procedure, "accreditation": accreditation, "event": event},
        ambito_id=procedure.ambito_id,
    )
    event.save(update_fields=["communication"])
    audit.record(
        actor=actor,
        action="processes.accreditation_changed",
        obj=procedure,
        changes={
            "entity": accreditation.entity.name,
            "status": {"before": before, "after": accreditation.status},
        },
        reason=event.reason,
        ambito_id=procedure.ambito_id,
    )
    notify(
        ambito_id=procedure.ambito_id,
        users=list(_entity_admins([accreditation.entity_id])),
        kind="processes.accreditation_changed",
        title=_("Elenco degli accreditati di «%(t)s»: %(k)s")
        % {"t": procedure.title, "k": event.get_kind_display().lower()},
        url=procedure.get_absolute_url(),
        body=event.reason,
    )
    return event


def _require_accredited(procedure: Procedure, entity: Entity) -> None:
    """A co-progettazione drawing on an accreditation list admits only the entities on that list
    when it opened, and still on it."""
    if not procedure.accreditation_list_id:
        return
    from processes.selectors import accredited_entities

    source = procedure.accreditation_list
    opened = procedure.opened_at or timezone.now()
    eligible = accredited_entities(source, at=opened).filter(pk=entity.pk).exists() and (
        accredited_entities(source, at=timezone.now()).filter(pk=entity.pk).exists()
    )
    if not eligible:
        raise ValidationError(
            _(
                "Possono partecipare solo gli enti accreditati nell'elenco «%(l)s» alla data di "
                "apertura dell'avviso (%(d)s) e tuttora accreditati."
            )
            % {"l": source.title, "d": timezone.localtime(opened).strftime("%d/%m/%Y")}
        )


# --- art. 10-bis L. 241/1990: notice of the reasons against an application -----------------
def send_formal_communication(
    *, entity: Entity, template: str, context: dict, ambito_id: int
) -> OutgoingEmail:
    """The one way the portal sends an entity a formal communication (an art. 10-bis notice, the
    act that follows it, a change of its accreditation): today an e-mail through the outbox to
    the entity's address; the returned message is kept with the act as the proof of sending.
    The certified channel (PEC) plugs in here."""
    from core import mail

    return mail.enqueue(
        template, {"entity": entity, **context}, to=entity.email, ambito_id=ambito_id
    )


def exclusion_notice_problem(application: Application) -> str:
    """Why the art. 10-bis notice cannot be sent on `application` now ("" when it can): during
    the istruttoria, on an application not yet excluded (for an open list, not yet admitted:
    an admitted entity leaves the list by removal); during the evaluation, on an admitted one
    (scored under the threshold, say); never while a soccorso istruttorio is still in its term."""
    procedure = application.procedure
    allowed: tuple[str, ...] = ()
    if procedure.in_istruttoria:
        allowed = (ApplicationStatus.SUBMITTED, ApplicationStatus.INTEGRATION)
        if not procedure.is_open_list:
            allowed += (ApplicationStatus.ADMITTED,)
    elif procedure.status == workflow.EVALUATION:
        allowed = (ApplicationStatus.ADMITTED,)
    if application.status == ApplicationStatus.PRE_REJECTION:
        return _("C'è già una comunicazione dei motivi ostativi aperta su questa domanda.")
    if application.status not in allowed:
        return _(
            "La comunicazione dei motivi ostativi si invia durante l'istruttoria o la "
            "valutazione, su una domanda presentata e non ancora esclusa."
        )
    running = application.integration_requests.filter(
        answered_at__isnull=True, deadline__gte=timezone.now()
    ).first()
    if running is not None:
        return _(
            "È in corso un soccorso istruttorio: attendi la risposta dell'ente o la scadenza del "
            "suo termine (%(d)s)."
        ) % {"d": _when(running.deadline)}
    return ""


@transaction.atomic
def exclusion_notice_send(
    *, application: Application, actor, reasons: str, term_days: int = ExclusionNotice.TERM_DAYS
) -> ExclusionNotice:
    """Tell the entity the reasons that prevent accepting its application and give it
    `term_days` (10 at least) to send observations: the formal communication, an in-portal
    notification, the audit trail. The application waits in PRE_REJECTION."""
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("procedure__ambito", "entity")
        .get(pk=application.pk)
    )
    problem = exclusion_notice_problem(application)
    if problem:
        raise ValidationError(problem)
    errors = {}
    if not reasons.strip():
        errors["reasons"] = [_("Indica i motivi che impediscono di accogliere la domanda.")]
    if term_days < ExclusionNotice.TERM_DAYS:
        errors["term_days"] = [
            _("Il termine per le osservazioni è di almeno %(n)d giorni (art. 10-bis).")
            % {"n": ExclusionNotice.TERM_DAYS}
        ]
    if errors:
        raise ValidationError(errors)
    procedure = application.procedure
    now = timezone.now()
    notice = ExclusionNotice(
        application=application,
        reasons=reasons.strip(),
        term_days=term_days,
        sent_at=now,
        sent_by=actor,
        deadline=ExclusionNotice.deadline_for(now, term_days),
        previous_status=application.status,
    )
    notice.full_clean()
    notice.save()
    application.status = ApplicationStatus.PRE_REJECTION
    application.save(update_fields=["status", "updated_at"])
    notice.communication = send_formal_communication(
        entity=application.entity,
        template="processes_exclusion_notice",
        context={
            "notice": notice,
            "application": application,
            "procedure": procedure,
            "deadline": timezone.localtime(notice.deadline),
        },
        ambito_id=procedure.ambito_id,
    )
    notice.save(update_fields=["communication"])
    audit.record(
        actor=actor,
        action="processes.exclusion_notice_sent",
        obj=application,
        changes={
            "status": {"before": notice.previous_status, "after": application.status},
            "term_days": term_days,
            "deadline": notice.deadline,
        },
        reason=notice.reasons,
        ambito_id=procedure.ambito_id,
    )
    notify(
        ambito_id=procedure.ambito_id,
        users=list(_entity_admins([application.entity_id])),
        kind="processes.exclusion_notice",
        title=_("Motivi ostativi alla domanda per «%(t)s»: osservazioni entro il %(d)s")
        % {"t": procedure.title, "d": _when(notice.deadline)},
        url=application.get_absolute_url(),
        body=notice.reasons,
    )
    return notice


def _open_notice(notice: ExclusionNotice) -> ExclusionNotice:
    notice = (
        ExclusionNotice.objects.select_for_update(of=("self",))
        .select_related("application__procedure__ambito", "application__entity")
        .get(pk=notice.pk)
    )
    if not notice.is_open:
        raise ValidationError(_("Questa comunicazione dei motivi ostativi è già conclusa."))
    return notice


@transaction.atomic
def exclusion_observations_submit(
    *, notice: ExclusionNotice, actor, observations: str, title: str = "", file=None
) -> ExclusionNotice:
    """The entity's observations (art. 10-bis), once, within the term, with a document if it
    wishes; the RUP is told."""
    notice = _open_notice(notice)
    if notice.observations_at is not None:
        raise ValidationError(_("Le osservazioni sono già state presentate."))
    if timezone.now() > notice.deadline:
        raise ValidationError(
            _("Il termine per le osservazioni è scaduto il %(d)s.") % {"d": _when(notice.deadline)}
        )
    if not observations.strip():
        raise ValidationError({"observations": _("Scrivi le osservazioni.")})
    application = notice.application
    if file is not None:
        application_document_add(
            application=application,
            actor=actor,
            title=title or _("Osservazioni (art. 10-bis)"),
            file=file,
            exclusion_notice=notice,
        )
    notice.observations = observations.strip()
    notice.observations_at, notice.observations_by = timezone.now(), actor
    notice.save(update_fields=["observations", "observations_at", "observations_by"])
    _record_for_rup(
        application,
        actor=actor,
        action="processes.exclusion_observations",
        changes={"observations": notice.observations, "document": title if file else ""},
        title=_("%(e)s ha presentato osservazioni ai motivi ostativi")
        % {"e": application.entity.name},
    )
    return notice


@transaction.atomic
def exclusion_confirm(*, notice: ExclusionNotice, actor, motivation: str) -> Application:
    """Exclude the application, once the entity has answered or its term has run out, with a
    motivation that gives account of the observations (or of their absence); the act is sent
    to the entity as a formal communication."""
    notice = _open_notice(notice)
    if not notice.can_be_decided:
        raise ValidationError(
            _(
                "Le osservazioni dell'ente si attendono fino al %(d)s: prima di allora si decide "
                "solo se le ha già presentate."
            )
            % {"d": _when(notice.deadline)}
        )
    if not motivation.strip():
        raise ValidationError(
            {
                "motivation": _(
                    "Scrivi la motivazione: deve dare conto delle osservazioni dell'ente o della "
                    "loro mancanza."
                )
            }
        )
    application = Application.objects.select_for_update(of=("self",)).get(pk=notice.application_id)
    procedure = notice.application.procedure
    now = timezone.now()
    application.status = ApplicationStatus.NOT_ADMITTED
    application.decision_reason = motivation.strip()
    application.decided_at, application.decided_by = now, actor
    application.save(
        update_fields=["status", "decision_reason", "decided_at", "decided_by", "updated_at"]
    )
    notice.outcome = ExclusionNotice.Outcome.EXCLUDED
    notice.motivation = motivation.strip()
    notice.decided_at, notice.decided_by = now, actor
    notice.decision_communication = send_formal_communication(
        entity=notice.application.entity,
        template="processes_exclusion_decision",
        context={
            "notice": notice,
            "application": application,
            "procedure": procedure,
            "deadline": timezone.localtime(notice.deadline),
        },
        ambito_id=procedure.ambito_id,
    )
    notice.save(
        update_fields=[
            "outcome",
            "motivation",
            "decided_at",
            "decided_by",
            "decision_communication",
        ]
    )
    audit.record(
        actor=actor,
        action="processes.exclusion_confirmed",
        obj=application,
        changes={
            "status": {"before": ApplicationStatus.PRE_REJECTION, "after": application.status},
            "observations_at": notice.observations_at,
        },
        reason=notice.motivation,
        ambito_id=procedure.ambito_id,
    )
    notify(
        ambito_id=procedure.ambito_id,
        users=list(_entity_admins([application.entity_id])),
        kind="processes.exclusion_confirmed",
        title=_("Domanda non ammessa: «%(t)s»") % {"t": procedure.title},
        url=application.get_absolute_url(),
        body=notice.motivation,
    )
    return application


@transaction.atomic
def exclusion_withdraw(*, notice: ExclusionNotice, actor, motivation: str) -> Application:
    """The reasons are overcome (by the observations, or found wrong): the application goes back
    to the status it had, and the entity is told why."""
    notice = _open_notice(notice)
    if not motivation.strip():
        raise ValidationError({"motivation": _("Indica perché i motivi ostativi sono superati.")})
    application = Application.objects.select_for_update(of=("self",)).get(pk=notice.application_id)
    procedure = notice.application.procedure
    application.status = notice.previous_status
    application.save(update_fields=["status", "updated_at"])
    notice.outcome = ExclusionNotice.Outcome.WITHDRAWN
    notice.motivation = motivation.strip()
    notice.decided_at, notice.decided_by = timezone.now(), actor
    notice.save(update_fields=["outcome", "motivation", "decided_at", "decided_by"])
    audit.record(
        actor=actor,
        action="processes.exclusion_withdrawn",
        obj=application,
        changes={
            "status": {"before": ApplicationStatus.PRE_REJECTION, "after": application.status}
        },
        reason=notice.motivation,
        ambito_id=procedure.ambito_id,
    )
    notify(
        ambito_id=procedure.ambito_id,
        users=list(_entity_admins([application.entity_id])),
        kind="processes.exclusion_withdrawn",
        title=_("Motivi ostativi superati per la domanda a «%(t)s»") % {"t": procedure.title},
        url=application.get_absolute_url(),
        body=notice.motivation,
    )
    return application


# --- commission and scores ------------------------------------------------------------------
@transaction.atomic
def commission_member_add(*, procedure: Procedure, actor, user, role: str) -> CommissionMember:
    """Seat `user` on the commission, unless they are tied to an applicant (conflict of
    interest: art. 6-bis L. 241/1990, art. 7 D.P.R. 62/2013)."""
    from processes.selectors import submitted_applications, ties

    if procedure.commission.filter(user=user).exists():
        raise ValidationError({"user": _("Questa persona fa già parte della commissione.")})
    reasons = sorted(set(ties([user.pk], submitted_applications(procedure)).values()))
    if reasons:
        raise ValidationError(
            {
                "user": _(
                    "%(person)s non può far parte della commissione per conflitto di interessi "
                    "(art. 6-bis L. 241/1990): %(reasons)s."
                )
                % {"person": user.display_name, "reasons": "; ".join(reasons)}
            }
        )
    member = CommissionMember.objects.create(procedure=procedure, user=user, role=role)
    audit.record(
        actor=actor,
        action="processes.commission_member_added",
        obj=procedure,
        changes={"member": str(user), "role": role},
        ambito_id=procedure.ambito_id,
    )
    notify(
        ambito_id=procedure.ambito_id,
        users=[user],
        kind="processes.commission",
        title=_("Sei nella commissione di valutazione di «%(t)s»") % {"t": procedure.title},
        url=reverse("processes:commission", kwargs={"pk": procedure.pk}),
        body=_("Prima di vedere le domande dichiara l'assenza di conflitti di interesse."),
    )
    return member


@transaction.atomic
def commission_member_remove(*, member: CommissionMember, actor) -> None:
    if member.scores.exists():
        raise ValidationError(
            _("Questo commissario ha già assegnato punteggi: non si può rimuovere.")
        )
    procedure = member.procedure
    audit.record(
        actor=actor,
        action="processes.commission_member_removed",
        obj=procedure,
        changes={"member": str(member.user)},
        ambito_id=procedure.ambito_id,
    )
    member.delete()


@transaction.atomic
def commission_exclusions_record(*, procedure: Procedure) -> int:
    """Record (audit, and tell the RUP and the member) each commissioner excluded from an
    application for a tie that arose after the seating: an application presented by, led by or
    joined by an entity of theirs, or a change of an entity's people. Once per member and
    application; the exclusion itself is enforced by processes.permissions whenever the tie
    exists, recorded or not."""
    from processes.selectors import commission_ties

    tied = commission_ties(procedure)
    if not tied:
        return 0
    from django.contrib.contenttypes.models import ContentType

    from core.models import AuditEvent

    done = {
        (e.object_id, e.changes.get("application"))
        for e in AuditEvent.objects.filter(
            action="processes.commissioner_excluded",
            content_type=ContentType.objects.get_for_model(CommissionMember),
            object_id__in=[str(pk) for pk in tied],
        ).only("object_id", "changes")
    }
    members = {m.pk: m for m in procedure.commission.select_related("user")}
    names = dict(
        procedure.applications.filter(
            pk__in={a for apps in tied.values() for a in apps}
        ).values_list("pk", "entity__name")
    )
    recorded = 0
    for member_pk, applications in tied.items():
        member = members[member_pk]
        for application_pk, reason in applications.items():
            if (str(member_pk), application_pk) in done:
                continue
            audit.record(
                actor=None,
                action="processes.commissioner_excluded",
                obj=member,
                changes={"application": application_pk, "entity": names[application_pk]},
                reason=reason,
                ambito_id=procedure.ambito_id,
            )
            recorded += 1
            title = _(
                "Conflitto di interessi: %(m)s escluso dalla valutazione della domanda di %(e)s"
            ) % {"m": member.user.display_name, "e": names[application_pk]}
            url = reverse("processes:commission", kwargs={"pk": procedure.pk})
            notify(
                ambito_id=procedure.ambito_id,
                users=[u for u in (procedure.rup, member.user) if u is not None],
                kind="processes.commissioner_excluded",
                title=title,
                url=url,
                body=reason,
            )
    return recorded


@transaction.atomic
def commission_declare(*, member: CommissionMember, actor) -> CommissionMember:
    if member.user_id != actor.pk:
        raise ValidationError(_("Ciascun commissario dichiara per sé."))
    commission_exclusions_record(procedure=member.procedure)
    if member.declared_at is None:
        member.declared_at = timezone.now()
        member.save(update_fields=["declared_at"])
        audit.record(
            actor=actor,
            action="processes.conflict_declared",
            obj=member.procedure,
            changes={"member": str(member.user)},
            reason=_(
                "Dichiara l'assenza di conflitti di interesse con gli enti che hanno presentato domanda."
            ),
            ambito_id=member.procedure.ambito_id,
        )
    return member


@transaction.atomic
def scores_save(
    *, member: CommissionMember, application: Application, values: dict[int, tuple[Decimal, str]]
) -> int:
    application = Application.objects.select_related("procedure").get(pk=application.pk)
    procedure = application.procedure
    if procedure.status != workflow.EVALUATION:
        raise ValidationError(_("I punteggi si assegnano durante la valutazione."))
    if member.declared_at is None or not member.scores_applications:
        raise ValidationError(_("Prima dichiara l'assenza di conflitti di interesse."))
    if application.status != ApplicationStatus.ADMITTED:
        raise ValidationError(_("Si valutano solo le domande ammesse."))
    from processes.selectors import submitted_applications, ties

    tie = ties([member.user_id], submitted_applications(procedure).filter(pk=application.pk))
    if tie:
        raise ValidationError(
            _("Non puoi valutare questa domanda per conflitto di interessi: %(reason)s.")
            % {"reason": next(iter(tie.values()))}
        )
    criteria = {c.pk: c for c in procedure.current_notice.criteria.all()}
    saved = 0
    for criterion_id, (value, note) in values.items():
        if criterion_id not in criteria:
            continue
        Score.objects.update_or_create(
            application=application,
            criterion_id=criterion_id,
            member=member,
            defaults={"value": value, "note": note},
        )
        saved += 1
    audit.record(
        actor=member.user,
        action="processes.scores_saved",
        obj=application,
        changes={criteria[k].name: str(v[0]) for k, v in values.items() if k in criteria},
        ambito_id=procedure.ambito_id,
    )
    return saved


@transaction.atomic
def ranking_apply(*, procedure: Procedure, actor) -> None:
    """Store the weighted totals and ranks of the admitted applications (those under the
    threshold were excluded before, through the art. 10-bis notice: see workflow). Once: the
    approved ranking is an act and never changes."""
    from processes.selectors import ranking

    if procedure.applications.filter(rank__isnull=False).exists():
        raise ValidationError(
            _("La graduatoria è già approvata e pubblicata: non si ricalcola né si modifica.")
        )
    for position, (application, total) in enumerate(ranking(procedure), start=1):
        application.total_score, application.rank = total, position
        application.save(update_fields=["total_score", "rank", "updated_at"])
        audit.record(
            actor=actor,
            action="processes.ranked",
            obj=application,
            changes={"total_score": str(total), "rank": position},
            ambito_id=procedure.ambito_id,
        )


# --- outcome, agreement, reports ------------------------------------------------------------
@transaction.atomic
def outcome_document_add(*, procedure: Procedure, actor, data: dict, file) -> OutcomeDocument:
    if procedure.status in (workflow.STARTED, workflow.CANCELLED):
        raise ValidationError(
            _("I documenti dell'esito si registrano dopo la pubblicazione dell'avviso.")
        )
    document = OutcomeDocument(procedure=procedure, created_by=actor, file=file, **data)
    document.full_clean()
    document.save()
    # the fingerprint of the stored bytes, the ones the portal serves from now on
    document.sha256 = sha256_of(document.file)
    document.save(update_fields=["sha256"])
    audit.record(
        actor=actor,
        action="processes.document_published",
        obj=procedure,
        changes={"document": document.title, "kind": document.kind, "sha256": document.sha256},
        ambito_id=procedure.ambito_id,
    )
    return document


@transaction.atomic
def project_budget_save(*, procedure: Procedure, actor, lines: Sequence[dict]) -> None:
    from processes.models import ProjectBudgetLine

    if workflow.project_frozen(procedure):
        raise ValidationError(
            _("Il progetto definitivo è approvato: il suo piano economico non si modifica più.")
        )
    before = [str(line) for line in procedure.project_budget.all()]
    procedure.project_budget.all().delete()
    ProjectBudgetLine.objects.bulk_create(
        [ProjectBudgetLine(procedure=procedure, **line) for line in lines]
    )
    after = [str(line) for line in procedure.project_budget.all()]
    audit.record(
        actor=actor,
        action="processes.project_budget_saved",
        obj=procedure,
        changes={"budget": {"before": before, "after": after}},
        ambito_id=procedure.ambito_id,
    )


AGREEMENT_FROZEN = _lazy(
    "La convenzione firmata è registrata e pubblicata: non si modifica. Un'eventuale modifica è un "
    "atto aggiuntivo, da pubblicare tra i documenti del procedimento."
)


@transaction.atomic
def agreement_save(
    *, procedure: Procedure, actor, data: dict, parties: Iterable[Entity], file=None
) -> Agreement:
    if not procedure.can_record_agreement:
        raise ValidationError(_("La convenzione si registra dopo l'approvazione del progetto."))
    if Agreement.objects.filter(procedure=procedure).exists():
        raise ValidationError(AGREEMENT_FROZEN)
    agreement = Agreement(procedure=procedure, created_by=actor, **data)
    if file is not None:
        agreement.file = file
    agreement.full_clean()
    agreement.save()
    agreement.sha256 = sha256_of(agreement.file)
    agreement.save(update_fields=["sha256"])
    agreement.parties.set(parties)
    audit.record(
        actor=actor,
        action="processes.agreement_saved",
        obj=procedure,
        changes={
            **{k: v for k, v in data.items()},
            "parties": [str(p) for p in agreement.parties.all()],
            "sha256": agreement.sha256,
        },
        ambito_id=procedure.ambito_id,
    )
    notify(
        ambito_id=procedure.ambito_id,
        users=list(_entity_admins([p.pk for p in agreement.parties.all()])),
        kind="processes.agreement",
        title=_("Convenzione registrata per «%(t)s»") % {"t": procedure.title},
        url=procedure.get_absolute_url(),
    )
    return agreement


@transaction.atomic
def report_submit(
    *, agreement: Agreement, entity: Entity, actor, data: dict, costs: Sequence[dict]
) -> Report:
    agreement = Agreement.objects.select_related("procedure").get(pk=agreement.pk)
    if agreement.procedure.status != "execution":
        raise ValidationError(_("Le rendicontazioni si presentano durante l'esecuzione."))
    if not agreement.parties.filter(pk=entity.pk).exists():
        raise ValidationError(_("L'ente non è parte della convenzione."))
    report = Report(agreement=agreement, entity=entity, submitted_by=actor, **data)
    report.full_clean()
    report.save()
    items = []
    for cost in costs:
        item = ReportCost(report=report, **cost)
        item.full_clean()
        item.save()
        items.append(item)
    registration = _register(
        ambito=agreement.procedure.ambito,
        kind="rendicontazione",
        subject=_("Rendicontazione %(a)s–%(b)s per «%(t)s»")
        % {
            "a": report.period_start.strftime("%d/%m/%Y"),
            "b": report.period_end.strftime("%d/%m/%Y"),
            "t": agreement.procedure.title,
        },
        entity=entity,
        files=[i.document for i in items],
    )
    report.protocol_number = registration.number
    report.protocol_date = registration.registered_at
    report.save(update_fields=["protocol_number", "protocol_date"])
    audit.record(
        actor=actor,
        action="processes.report_submitted",
        obj=report,
        ambito_id=agreement.procedure.ambito_id,
    )
    procedure = agreement.procedure
    if procedure.rup_id:
        notify(
            ambito_id=agreement.procedure.ambito_id,
            users=[procedure.rup],
            kind="processes.report",
            title=_("Nuova rendicontazione di %(e)s") % {"e": entity.name},
            url=reverse("processes:report_detail", kwargs={"pk": report.pk}),
        )
    return report


@transaction.atomic
def report_review(*, report: Report, actor, accept: bool, note: str = "") -> Report:
    report = Report.objects.select_for_update().get(pk=report.pk)
    if not accept and not note.strip():
        raise ValidationError({"note": _("Indica che cosa va corretto.")})
    before = report.status
    report.status = Report.Status.ACCEPTED if accept else Report.Status.REJECTED
    report.review_note, report.reviewed_by, report.reviewed_at = note, actor, timezone.now()
    report.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at"])
    audit.record(
        actor=actor,
        action="processes.report_reviewed",
        obj=report,
        changes={"status": {"before": before, "after": report.status}},
        reason=note,
        ambito_id=report.agreement.procedure.ambito_id,
    )
    notify(
        ambito_id=report.agreement.procedure.ambito_id,
        users=list(_entity_admins([report.entity_id])),
        kind="processes.report_reviewed",
        title=_("La rendicontazione %(p)s è stata %(s)s")
        % {"p": report, "s": report.get_status_display().lower()},
        url=reverse("processes:report_detail", kwargs={"pk": report.pk}),
        body=note,
    )
    return report
