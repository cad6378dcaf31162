"""Thin views, one module by subject: parse, check permission through plan_policy, call a
service or selector (plans.selectors.pages assembles the larger pages), render."""

from plans.views.exports import export, export_download, export_status
from plans.views.funds import budget, budget_xlsx, funds, interventions_export, source_create
from plans.views.interventions import (
    intervention_create,
    intervention_delete,
    intervention_detail,
    intervention_edit,
)
from plans.views.mapping import need_create, service_create
from plans.views.plan import (
    plan_create,
    plan_detail,
    plan_list,
    section_edit,
    version_detail,
    version_pdf,
)
from plans.views.workflow import approve, comment_create, open_consultation, start_revision

__all__ = [
    "approve",
    "budget",
    "budget_xlsx",
    "comment_create",
    "export",
    "export_download",
    "export_status",
    "funds",
    "intervention_create",
    "intervention_delete",
    "intervention_detail",
    "intervention_edit",
    "interventions_export",
    "need_create",
    "open_consultation",
    "plan_create",
    "plan_detail",
    "plan_list",
    "section_edit",
    "service_create",
    "source_create",
    "start_revision",
    "version_detail",
    "version_pdf",
]
