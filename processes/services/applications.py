"""Applications by the entities: start, edit, documents, submission with protocol number."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import audit
from entities.models import Entity
from processes import workflow
from processes.models import (
    Application,
    ApplicationDocument,
    ApplicationStatus,
    BudgetLine,
    Declaration,
    ExclusionNotice,
    IntegrationRequest,
    Procedure,
)
from processes.services.accreditation import _require_accredited
from processes.services.commission import commission_exclusions_record
from processes.services.common import _record_for_rup, _register, _signature_of
from processes.services.declarations import (
    check_signed_declaration,
    required_declaration_proof,
)


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
    registered_on = (
        entity.runts_date if entity.runts_status == Entity.RunstStatus.REGISTERED else None
    )
    if not registered_on or registered_on > _months_before(timezone.localdate(), 6):
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
            action="processes.application.started",
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
        action="processes.application.saved",
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
    is_declaration: bool = False,
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
        is_declaration=is_declaration,
    )
    document.full_clean()
    document.signature = _signature_of(file)
    if is_declaration:
        check_signed_declaration(application, document.signature)
    document.save()
    audit.record(
        actor=actor,
        action="processes.application_document.added",
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
        action="processes.application_document.removed",
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


@transaction.atomic
def application_submit(
    *, application: Application, actor, identity: dict | None = None
) -> Application:
    """Submit with a protocol number; `identity` (core.identity.session_identity of the
    submitting session) confirms the declarations when it is a SPID/CIE login of level 2. When
    the procedure requires SPID/CIE or a signed declaration, ticked boxes alone are refused."""
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
    # Before the protocol is asked for a number: a refusal leaves nothing behind.
    declared_with, declared_fiscal_code = required_declaration_proof(application, identity)
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
    application.declared_with = declared_with
    application.declared_fiscal_code = declared_fiscal_code
    application.declared_at = now
    application.save(
        update_fields=[
            "declared_with",
            "declared_fiscal_code",
            "declared_at",
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
            action="processes.notice.locked",
            obj=procedure,
            changes={"locked_at": now, "protocol_number": application.protocol_number},
            reason=_("Prima domanda presentata: criteri, pesi e requisiti dell'avviso bloccati."),
            ambito_id=procedure.ambito_id,
        )
    _record_for_rup(
        application,
        actor=actor,
        action="processes.application.submitted",
        changes={
            "status": {"before": "draft", "after": "submitted"},
            "protocol_number": application.protocol_number,
            "declared_with": application.declared_with,
        },
        title=_("Nuova domanda per «%(t)s»: %(e)s")
        % {"t": procedure.title, "e": application.entity.name},
    )
    commission_exclusions_record(procedure=procedure)
    from processes.tasks import send_application_receipt

    transaction.on_commit(lambda: send_application_receipt.delay(application.pk))
    return application
