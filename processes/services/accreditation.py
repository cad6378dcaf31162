"""Accreditamento: the open list (art. 55 c. 4) and its changes."""

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
    Accreditation,
    AccreditationEvent,
    Application,
    Procedure,
)
from processes.selectors import accredited_entities
from processes.services.common import _entity_admins, send_formal_communication


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
        action="processes.accreditation.granted",
        obj=procedure,
        changes={"entity": application.entity.name, "admitted_at": when},
        ambito_id=procedure.ambito_id,
    )
    notify(
        ambito_id=procedure.ambito_id,
        users=list(_entity_admins([application.entity_id])),
        kind="processes.accreditation.granted",
        title=_("%(e)s è nell'elenco degli accreditati di «%(t)s»")
        % {"e": application.entity.name, "t": procedure.title},
        url=procedure.get_absolute_url(),
    )
    return accreditation


# Which change may follow which status.
ACCREDITATION_CHANGES: dict[str, tuple[str, ...]] = {
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
        action="processes.accreditation.changed",
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
        kind="processes.accreditation.changed",
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
