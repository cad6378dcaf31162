"""Withdrawal and receipt of an application, the decision on its admission, soccorso istruttorio."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.notifications import notify
from processes.models import (
    Application,
    ApplicationStatus,
    Declaration,
    IntegrationRequest,
)
from processes.services.accreditation import _accredit
from processes.services.applications import _require_open, application_document_add
from processes.services.common import (
    _entity_admins,
    _record_for_rup,
    _register,
    send_formal_communication,
)


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
    withdrawn: dict[str, Any] = {
        "protocol_number": application.protocol_number,
        "submitted_at": application.submitted_at,
        "submitted_by": application.submitted_by,
    }
    if application.receipt:
        storage, name = application.receipt.storage, str(application.receipt.name)
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
        action="processes.application.withdrawn",
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
        action="processes.application.decided",
        obj=application,
        changes={"status": {"before": before, "after": application.status}},
        reason=reason,
        ambito_id=procedure.ambito_id,
    )
    if procedure.is_open_list and before != ApplicationStatus.ADMITTED:
        _accredit(application, actor=actor, when=now)
    if before != ApplicationStatus.ADMITTED:
        application.communication = send_formal_communication(
            entity=application.entity,
            template="processes_admission",
            context={"application": application, "procedure": procedure},
            ambito_id=procedure.ambito_id,
        )
        application.save(update_fields=["communication"])
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
        action="processes.integration.requested",
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
        action="processes.integration.answered",
        obj=application,
        changes={"answer": answer},
        ambito_id=application.procedure.ambito_id,
    )
    procedure = application.procedure
    if procedure.rup_id:
        notify(
            ambito_id=application.procedure.ambito_id,
            users=[procedure.rup],
            kind="processes.integration.answered",
            title=_("%(e)s ha risposto al soccorso istruttorio") % {"e": application.entity.name},
            url=application.get_absolute_url(),
        )
    return request
