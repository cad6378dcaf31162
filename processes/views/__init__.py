"""Views of the procedures: thin, they parse input, check permissions, call a service or a
selector, render. One module per area; urls.py reads them from here."""

from processes.views.applications import (
    application_decide,
    application_detail,
    application_document_add,
    application_document_download,
    application_document_remove,
    application_receipt,
    application_start,
    application_withdraw,
    integration_answer,
    integration_request,
)
from processes.views.commission import (
    application_score,
    commission,
    commission_declare,
    commission_remove,
)
from processes.views.editing import (
    procedure_cancel,
    procedure_create,
    procedure_edit,
    procedure_transition,
    request_document,
    window_reopen,
)
from processes.views.exclusions import (
    accreditation_change,
    exclusion_confirm,
    exclusion_notice_send,
    exclusion_observations,
    exclusion_withdraw,
)
from processes.views.execution import (
    agreement_download,
    agreement_edit,
    outcome_document_add,
    outcome_document_download,
    project_budget,
    report_cost_download,
    report_create,
    report_detail,
)
from processes.views.notices import notice_detail, notice_edit, notice_publish
from processes.views.procedures import (
    AUDIT_LABELS,
    PAGE_SIZE,
    applications_export,
    procedure_audit,
    procedure_detail,
    procedure_list,
)
from processes.views.signing import agreement_sign, agreement_signed_file

__all__ = [
    "agreement_sign",
    "agreement_signed_file",
    "AUDIT_LABELS",
    "PAGE_SIZE",
    "accreditation_change",
    "agreement_download",
    "agreement_edit",
    "application_decide",
    "application_detail",
    "application_document_add",
    "application_document_download",
    "application_document_remove",
    "application_receipt",
    "application_score",
    "application_start",
    "application_withdraw",
    "applications_export",
    "commission",
    "commission_declare",
    "commission_remove",
    "exclusion_confirm",
    "exclusion_notice_send",
    "exclusion_observations",
    "exclusion_withdraw",
    "integration_answer",
    "integration_request",
    "notice_detail",
    "notice_edit",
    "notice_publish",
    "outcome_document_add",
    "outcome_document_download",
    "procedure_audit",
    "procedure_cancel",
    "procedure_create",
    "procedure_detail",
    "procedure_edit",
    "procedure_list",
    "procedure_transition",
    "project_budget",
    "report_cost_download",
    "report_create",
    "report_detail",
    "request_document",
    "window_reopen",
]
