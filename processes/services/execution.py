"""Outcome documents, the project budget, the agreement and its reports."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from core import audit
from core.identity import normalise_fiscal_code
from core.notifications import notify
from core.storage import sha256_of
from entities.models import Entity
from processes import workflow
from processes.models import (
    Agreement,
    AgreementCommunication,
    OutcomeDocument,
    Procedure,
    ProjectBudgetLine,
    Report,
    ReportCost,
)
from processes.services.common import _entity_admins, _register, _signature_of
from processes.services.signing import agreement_communicate


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
        action="processes.outcome_document.published",
        obj=procedure,
        changes={"document": document.title, "kind": document.kind, "sha256": document.sha256},
        ambito_id=procedure.ambito_id,
    )
    return document


@transaction.atomic
def project_budget_save(*, procedure: Procedure, actor, lines: Sequence[dict]) -> None:
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
        action="processes.project_budget.saved",
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
    parties = list(parties)
    data = {**data}
    if data.get("ambito_signer_fiscal_code"):
        try:
            data["ambito_signer_fiscal_code"] = normalise_fiscal_code(
                data["ambito_signer_fiscal_code"]
            )
        except ValidationError as exc:
            raise ValidationError({"ambito_signer_fiscal_code": exc.messages}) from exc
    agreement = Agreement(procedure=procedure, created_by=actor, **data)
    if file is None:  # generated from the agreement's data, to be signed by the parties
        file = _agreement_pdf(agreement, parties)
    agreement.file = file
    agreement.full_clean()
    agreement.signature = _signature_of(file)
    agreement.save()
    agreement.sha256 = sha256_of(agreement.file)
    agreement.save(update_fields=["sha256"])
    agreement.parties.set(parties)
    audit.record(
        actor=actor,
        action="processes.agreement.saved",
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
    agreement_communicate(agreement=agreement, kind=AgreementCommunication.Kind.READY)
    return agreement


def _agreement_pdf(agreement: Agreement, parties: list[Entity]) -> ContentFile:
    from core.pdf import render_pdf

    data = render_pdf(
        "pdf/processes_agreement.html",
        {"agreement": agreement, "procedure": agreement.procedure, "parties": parties},
    )
    return ContentFile(data, name=f"convenzione-{agreement.procedure_id}.pdf")


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
        item.signature = _signature_of(item.document)
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
        action="processes.report.submitted",
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
        action="processes.report.reviewed",
        obj=report,
        changes={"status": {"before": before, "after": report.status}},
        reason=note,
        ambito_id=report.agreement.procedure.ambito_id,
    )
    notify(
        ambito_id=report.agreement.procedure.ambito_id,
        users=list(_entity_admins([report.entity_id])),
        kind="processes.report.reviewed",
        title=_("La rendicontazione %(p)s è stata %(s)s")
        % {"p": report, "s": report.get_status_display().lower()},
        url=reverse("processes:report_detail", kwargs={"pk": report.pk}),
        body=note,
    )
    return report
