"""Helpers shared by the services of processes."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.models import OutgoingEmail
from core.notifications import notify
from entities.models import Entity, EntityMembership
from processes import protocol
from processes.models import (
    Application,
    Procedure,
)

logger = logging.getLogger(__name__)


class TransitionRefused(ValidationError):
    """A move of the state machine that is not allowed now; the message says why."""


def _entity_admins(entity_ids: Iterable[int]):
    from core.models import User

    return User.objects.filter(
        EntityMembership.current_q("entity_memberships__"),
        entity_memberships__entity_id__in=list(entity_ids),
        entity_memberships__role=EntityMembership.Role.ADMIN,
    ).distinct()


def _lock(procedure: Procedure) -> Procedure:
    return Procedure.objects.select_for_update().get(pk=procedure.pk)


# --- art. 10-bis L. 241/1990: notice of the reasons against an application -----------------
def send_formal_communication(
    *, entity: Entity, template: str, context: dict, ambito_id: int
) -> OutgoingEmail:
    """The one way the portal sends an entity a formal communication (admission, an art. 10-bis
    notice, the act that follows it, a change of its accreditation): by PEC to the entity's PEC
    address when the portal has a PEC account, else by ordinary e-mail with the reason recorded
    (core.mail.enqueue_formal). The returned message is kept with the act as the proof of
    sending; the PEC provider's receipts attach to it."""
    from core import mail

    return mail.enqueue_formal(
        template,
        {"entity": entity, **context},
        pec=entity.pec,
        email=entity.email,
        ambito_id=ambito_id,
    )


def _signature_of(file) -> dict:
    """The signature report of an uploaded file (core.signatures), as a model keeps it."""
    from core import signatures

    file.seek(0)
    report = signatures.inspect(file.read())
    file.seek(0)
    return report.as_json()


def _when(moment: datetime) -> str:
    """ "14/03/2031 alle 12:00", Italian time."""
    local = timezone.localtime(moment)
    return _("%(d)s alle %(t)s") % {"d": local.strftime("%d/%m/%Y"), "t": local.strftime("%H:%M")}


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
