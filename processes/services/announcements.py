"""Who hears of an avviso, and the e-mails of its publication and of reopened windows."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.notifications import notify
from entities.models import Entity
from processes import workflow
from processes.models import (
    Notice,
    Procedure,
    WindowReopening,
)
from processes.selectors import accredited_entities, matching_entities
from processes.services.common import _entity_admins, _lock, _when
from processes.services.notices import notice_changes


def procedure_audience(procedure: Procedure) -> list[Entity]:
    """Who hears of the avviso, its corrections and its reopenings: the verified entities whose
    activities or target groups match (for a co-progettazione that draws on an accreditation
    list, the entities accredited when it opened), and every entity that started an
    application, draft or submitted."""
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
        action="processes.window.reopened",
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
