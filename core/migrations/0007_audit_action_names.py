"""Audit actions renamed to one scheme, `<app>.<subject>.<event>` (the app that records the event,
what it happened to, the event in the past tense): "application_submitted" becomes
"processes.application.submitted". Notifications whose kind is one of the old action names follow
(a service notifies with its action's name). Reversible; re-running changes nothing."""

import re

from django.db import migrations

RENAMES = {
    # core
    "account.identity_linked": "core.account.identity_linked",
    "account.erased": "core.account.erased",
    # ambito
    "ambito.created": "ambito.ambito.created",
    "ambito.updated": "ambito.ambito.updated",
    "ambito.staff.invitation_resent": "ambito.staff_invitation.resent",
    "ambito.staff.invitation_revoked": "ambito.staff_invitation.revoked",
    "email.resent": "ambito.email.resent",
    # entities
    "entity.registered": "entities.entity.registered",
    "entity.updated": "entities.entity.updated",
    "entity.imported": "entities.entity.imported",
    "entity.import_updated": "entities.entity.import_updated",
    "entity.status.pending": "entities.entity.pending",
    "entity.status.verified": "entities.entity.verified",
    "entity.status.rejected": "entities.entity.rejected",
    "entity.status.suspended": "entities.entity.suspended",
    "entity.invitation.sent": "entities.invitation.sent",
    "entity.invitation.revoked": "entities.invitation.revoked",
    "entity.member.joined": "entities.member.joined",
    "entity.member.role": "entities.member.role_changed",
    "entity.member.removed": "entities.member.removed",
    "entity.claim.submitted": "entities.claim.submitted",
    "entity.claim.accepted": "entities.claim.accepted",
    "entity.claim.rejected": "entities.claim.rejected",
    "entity.claim.withdrawn": "entities.claim.withdrawn",
    "entity.legal_representative.admin": "entities.legal_representative.made_admin",
    # tables
    "table.create": "tables.table.created",
    "table.update": "tables.table.updated",
    "table.archive": "tables.table.archived",
    "table.unarchive": "tables.table.unarchived",
    "table.disclosed": "tables.table.disclosed",
    "membership.request": "tables.membership.requested",
    "membership.approve": "tables.membership.approved",
    "membership.refuse": "tables.membership.refused",
    "membership.add": "tables.membership.added",
    "membership.leave": "tables.membership.left",
    "meeting.create": "tables.meeting.created",
    "meeting.update": "tables.meeting.updated",
    "meeting.cancel": "tables.meeting.cancelled",
    "meeting.convene": "tables.meeting.convened",
    "meeting.invite_more": "tables.meeting.invited_more",
    "meeting.attachment_add": "tables.meeting_attachment.added",
    "meeting.attachment_delete": "tables.meeting_attachment.deleted",
    "invitation.resend": "tables.invitation.resent",
    "invitation.respond": "tables.invitation.responded",
    "invitation.attendance": "tables.invitation.attendance_recorded",
    "minutes.save": "tables.minutes.saved",
    "minutes.share": "tables.minutes.shared",
    "minutes.comment": "tables.minutes.commented",
    "minutes.approve": "tables.minutes.approved",
    "minutes.regenerate_pdf": "tables.minutes.pdf_regenerated",
    "minutes.correction_save": "tables.minutes_correction.saved",
    "minutes.correction_approve": "tables.minutes_correction.approved",
    "minutes.correction_discard": "tables.minutes_correction.discarded",
    # processes
    "processes.procedure_created": "processes.procedure.created",
    "processes.procedure_updated": "processes.procedure.updated",
    "processes.procedure_moved": "processes.procedure.moved",
    "processes.window_reopened": "processes.window.reopened",
    "processes.notice_saved": "processes.notice.saved",
    "processes.notice_published": "processes.notice.published",
    "processes.notice_corrected": "processes.notice.corrected",
    "processes.notice_locked": "processes.notice.locked",
    "processes.application_started": "processes.application.started",
    "processes.application_saved": "processes.application.saved",
    "processes.application_submitted": "processes.application.submitted",
    "processes.application_withdrawn": "processes.application.withdrawn",
    "processes.application_decided": "processes.application.decided",
    "processes.ranked": "processes.application.ranked",
    "processes.document_added": "processes.application_document.added",
    "processes.document_removed": "processes.application_document.removed",
    "processes.integration_requested": "processes.integration.requested",
    "processes.integration_answered": "processes.integration.answered",
    "processes.accredited": "processes.accreditation.granted",
    "processes.accreditation_changed": "processes.accreditation.changed",
    "processes.exclusion_notice_sent": "processes.exclusion.notice_sent",
    "processes.exclusion_observations": "processes.exclusion.observations_sent",
    "processes.exclusion_confirmed": "processes.exclusion.confirmed",
    "processes.exclusion_withdrawn": "processes.exclusion.withdrawn",
    "processes.commission_member_added": "processes.commission_member.added",
    "processes.commission_member_removed": "processes.commission_member.removed",
    "processes.commissioner_excluded": "processes.commission_member.excluded",
    "processes.conflict_declared": "processes.commission_member.conflict_declared",
    "processes.scores_saved": "processes.scores.saved",
    "processes.document_published": "processes.outcome_document.published",
    "processes.project_budget_saved": "processes.project_budget.saved",
    "processes.agreement_saved": "processes.agreement.saved",
    "processes.report_submitted": "processes.report.submitted",
    "processes.report_reviewed": "processes.report.reviewed",
    "tables.membership_from_procedure": "processes.table_membership.added",
    # plans
    "plans.plan_created": "plans.plan.created",
    "plans.approved": "plans.plan.approved",
    "plans.revision_started": "plans.revision.started",
    "plans.section_updated": "plans.section.updated",
    "plans.funds_updated": "plans.funds.updated",
    "plans.funding_source_created": "plans.funding_source.created",
    "plans.intervention_created": "plans.intervention.created",
    "plans.intervention_updated": "plans.intervention.updated",
    "plans.intervention_deleted": "plans.intervention.deleted",
    "plans.need_recorded": "plans.need.recorded",
    "plans.service_recorded": "plans.service.recorded",
    "plans.consultation_opened": "plans.consultation.opened",
    "plans.comment_added": "plans.comment.added",
    # participation
    "participation.principles.update": "participation.principles.updated",
    "participation.registration.create": "participation.registration.created",
    "participation.registration.confirm": "participation.registration.confirmed",
    "participation.registration.discard": "participation.registration.discarded",
    "participation.registration.expire": "participation.registration.expired",
    "participation.registrations.purge": "participation.registration.purged",
    "participation.booking.promote": "participation.booking.promoted",
    "participation.booking.cancel": "participation.booking.cancelled",
    "participation.booking.attendance": "participation.booking.attendance_recorded",
    "participation.event.cancel": "participation.event.cancelled",
    "participation.proposal.submit": "participation.proposal.submitted",
    "participation.proposal.attach": "participation.proposal.attachment_added",
    "participation.proposal.support": "participation.proposal.supported",
    "participation.proposal.unsupport": "participation.proposal.unsupported",
    "participation.proposal.comment": "participation.proposal.commented",
    "participation.proposal.answer": "participation.proposal.answered",
}

# participation.services.content writes participation.<model>.create / update / delete.
_GENERIC = re.compile(r"^participation\.[a-z_]+\.(create|update|delete)$")
_GENERIC_BACK = re.compile(r"^participation\.[a-z_]+\.(created|updated|deleted)$")


def _rename(apps, mapping: dict[str, str], generic: re.Pattern, suffix) -> None:
    AuditEvent = apps.get_model("core", "AuditEvent")
    Notification = apps.get_model("core", "Notification")
    for model, field in ((AuditEvent, "action"), (Notification, "kind")):
        rows = model.objects.all()
        names = set(rows.values_list(field, flat=True).distinct())
        for old in names:
            new = mapping.get(old) or (suffix(old) if generic.match(old) else None)
            if new and new != old:
                rows.filter(**{field: old}).update(**{field: new})


def forward(apps, schema_editor):
    _rename(apps, RENAMES, _GENERIC, lambda name: f"{name}d")


def backward(apps, schema_editor):
    back = {new: old for old, new in RENAMES.items()}
    _rename(apps, back, _GENERIC_BACK, lambda name: name[:-1])


class Migration(migrations.Migration):
    dependencies = [("core", "0006_filejob_upload_params_result")]

    operations = [migrations.RunPython(forward, backward)]
