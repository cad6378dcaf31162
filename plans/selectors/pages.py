"""Page assembly for the plan views: what a page shows beyond one query, put together here so
that the views only parse the request, check permission and render."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from ambito.models import Ambito
from ambito.permissions import managed_ambito_ids, staff_ambito_ids
from core.models import FileJob
from plans import charts
from plans.models import FundAvailability, Intervention, Plan, PlanVersion
from plans.permissions import plan_policy
from plans.selectors import path
from plans.selectors.budget import plan_budget
from plans.selectors.content import (
    comments_of,
    intervention_year_totals,
    interventions_summary,
    needs_by_area,
    sections_of,
    with_urls,
)


def plan_context(user, plan: Plan, **extra) -> dict:
    """What every page of a plan shows: the plan, and whether `user` may change it or is staff
    of its ambito."""
    return {
        "plan": plan,
        "can_change": plan_policy.can_change(user, plan),
        "is_staff": plan.ambito_id in staff_ambito_ids(user),
        **extra,
    }


def budget_chart(budget):
    return charts.budget_by_area_chart(budget, title=_("Bilancio per area di intervento"))


def plan_detail_page(user, plan: Plan) -> dict:
    """The plan's page: sections, budget and its chart, interventions, the needs and services
    mapping, the participation path (its first PATH_LIMIT rows), versions and comments."""
    budget = plan_budget(plan)
    show_comments = plan.status != Plan.Status.DRAFT or plan_policy.can_change(user, plan)
    return {
        "sections": sections_of(plan),
        "budget": budget,
        "chart": budget_chart(budget),
        "interventions": with_urls(plan, interventions_summary(plan)),
        "mapping": needs_by_area(plan.ambito_id),
        "path": path.participation_path(plan, limit=path.PATH_LIMIT),
        "participation": path.participation_summary(plan),
        "versions": list(plan.versions.order_by("-number")),
        "comments": list(comments_of(plan)) if show_comments else [],
        "can_comment": plan_policy.can_comment(user, plan),
        "can_map": plan_policy.can_map(user, plan),
    }


def over_allocated(plan: Plan, source_years: set[tuple[int, int]]) -> list:
    """The plan's over-allocated cells (source, year, cell) among `source_years`, the
    (source pk, year) pairs an intervention takes money from."""
    return [(s, y, c) for s, y, c in plan_budget(plan).warnings if (s.pk, y) in source_years]


def intervention_page(plan: Plan, item: Intervention) -> dict:
    """An intervention's page: its totals per year and in all, and the over-allocated cells it
    draws on (its budget lines prefetched)."""
    item.year_totals = intervention_year_totals(item, plan.years)
    item.total = sum(item.year_totals)
    mine = {(line.source_id, line.year) for line in item.budget_lines.all()}
    return {"item": item, "warnings": over_allocated(plan, mine)}


def creatable_ambiti(user) -> QuerySet[Ambito]:
    """The ambiti where `user` may create a plan (their Ufficio di Piano), by name."""
    return Ambito.objects.filter(pk__in=managed_ambito_ids(user)).order_by("name")


def fund_amounts(plan: Plan) -> dict[tuple[int, int], Decimal]:
    """The plan's fund map as entered: {(source pk, year): amount}."""
    return {(f.source_id, f.year): f.amount for f in FundAvailability.objects.filter(plan=plan)}


def pdf_job(plan: Plan, job_pk: int, *, kind: str) -> FileJob:
    """A PDF job of the plan or of one of its versions (404 for any other job)."""
    owners = [(ContentType.objects.get_for_model(Plan).pk, str(plan.pk))] + [
        (ContentType.objects.get_for_model(PlanVersion).pk, str(v))
        for v in plan.versions.values_list("pk", flat=True)
    ]
    job = get_object_or_404(FileJob, pk=job_pk, kind=kind)
    if (job.content_type_id, job.object_id) not in owners:
        raise Http404
    return job
