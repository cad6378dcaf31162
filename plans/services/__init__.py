"""Every change to a plan, one function per use case, transactional, audited; one module by
subject: the content (content), the plan's life (workflow), what they share (common).
Everything is importable from `plans.services` as before."""

from plans.services.common import (
    PDF_KIND,
    PlanLocked,
    ensure_editable,
    record,
)
from plans.services.content import (
    funding_source_create,
    funds_save,
    intervention_delete,
    intervention_save,
    need_create,
    plan_create,
    section_update,
    service_create,
)
from plans.services.workflow import (
    comment_create,
    export_owner,
    pdf_export_start,
    plan_approve,
    plan_open_consultation,
    plan_start_revision,
)

__all__ = [
    "PDF_KIND",
    "PlanLocked",
    "comment_create",
    "ensure_editable",
    "export_owner",
    "funding_source_create",
    "funds_save",
    "intervention_delete",
    "intervention_save",
    "need_create",
    "pdf_export_start",
    "plan_approve",
    "plan_create",
    "plan_open_consultation",
    "plan_start_revision",
    "record",
    "section_update",
    "service_create",
]
