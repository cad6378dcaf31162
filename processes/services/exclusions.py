"""Art. 10-bis L. 241/1990: notice of the reasons against an application, observations, outcome."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.notifications import notify
from processes import workflow
from processes.models import (
    Application,
    ApplicationStatus,
    ExclusionNotice,
)
from processes.services.applications import application_document_add
from processes.services.common import (
    _entity_admins,
    _record_for_rup,
    _when,
    send_formal_communication,
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
    notice.communication = _communicate(
        notice, application, entity=application.entity, template="processes_exclusion_notice"
    )
    notice.save(update_fields=["communication"])
    audit.record(
        actor=actor,
        action="processes.exclusion.notice_sent",
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


def _communicate(notice: ExclusionNotice, application: Application, *, entity, template: str):
    """The formal communication of the notice or of its outcome to the applicant entity."""
    procedure = notice.application.procedure
    return send_formal_communication(
        entity=entity,
        template=template,
        context={
            "notice": notice,
            "application": application,
            "procedure": procedure,
            "deadline": timezone.localtime(notice.deadline),
        },
        ambito_id=procedure.ambito_id,
    )


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
        action="processes.exclusion.observations_sent",
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
    notice.decision_communication = _communicate(
        notice,
        application,
        entity=notice.application.entity,
        template="processes_exclusion_decision",
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
    _record_outcome(
        notice,
        application,
        actor=actor,
        action="processes.exclusion.confirmed",
        changes={"observations_at": notice.observations_at},
        title=_("Domanda non ammessa: «%(t)s»") % {"t": procedure.title},
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
    _record_outcome(
        notice,
        application,
        actor=actor,
        action="processes.exclusion.withdrawn",
        title=_("Motivi ostativi superati per la domanda a «%(t)s»") % {"t": procedure.title},
    )
    return application


def _record_outcome(
    notice: ExclusionNotice,
    application: Application,
    *,
    actor,
    action: str,
    title: str,
    changes: dict | None = None,
) -> None:
    """The audit trail of a decided notice (the application's status leaving PRE_REJECTION,
    with the motivation as reason) and the entity's notification of the same kind."""
    ambito_id = notice.application.procedure.ambito_id  # loaded with the notice
    audit.record(
        actor=actor,
        action=action,
        obj=application,
        changes={
            "status": {"before": ApplicationStatus.PRE_REJECTION, "after": application.status},
            **(changes or {}),
        },
        reason=notice.motivation,
        ambito_id=ambito_id,
    )
    notify(
        ambito_id=ambito_id,
        users=list(_entity_admins([application.entity_id])),
        kind=action,
        title=title,
        url=application.get_absolute_url(),
        body=notice.motivation,
    )
