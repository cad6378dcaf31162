"""The plan's life: consultation and observations, approval into a frozen version, revision, the
PDF export. One function per use case, transactional, audited."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import jobs
from core.models import FileJob
from core.notifications import notify
from plans.models import (
    Plan,
    PlanComment,
    PlanVersion,
)
from plans.services.common import PDF_KIND, record


def _commenters(plan: Plan) -> Iterable:
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from tables.models import TableMembership

    memberships = TableMembership.objects.current().filter(table__ambito_id=plan.ambito_id)
    ids = set(memberships.values_list("delegate_id", flat=True)) | set(
        memberships.exclude(substitute=None).values_list("substitute_id", flat=True)
    )
    return (
        get_user_model()
        .objects.filter(Q(pk__in=ids) | Q(staff_roles__ambito_id=plan.ambito_id))
        .distinct()
    )


def _notify_commenters(plan: Plan, user, *, kind: str, title: str) -> None:
    """Tell those who may comment on the plan (but `user`, who acted) with a link to it."""
    notify(
        ambito_id=plan.ambito_id,
        users=[u for u in _commenters(plan) if u.pk != user.pk],
        kind=kind,
        title=title,
        url=plan.get_absolute_url(),
    )


@transaction.atomic
def plan_open_consultation(*, plan: Plan, until: date | None, user) -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != Plan.Status.DRAFT:
        raise ValidationError(_("Solo un piano in bozza può essere messo in consultazione."))
    if until is not None and until < timezone.localdate():
        raise ValidationError(
            {
                "consultation_until": _(
                    "La data di chiusura delle osservazioni non può essere nel passato."
                )
            }
        )
    plan.status, plan.consultation_until = Plan.Status.CONSULTATION, until
    plan.save(update_fields=["status", "consultation_until", "updated_at"])
    record(
        plan,
        user,
        "plans.consultation.opened",
        changes={"status": {"before": "draft", "after": "consultation"}},
    )
    _notify_commenters(
        plan,
        user,
        kind="plans.consultation",
        title=_("Il %(plan)s è in consultazione: puoi inviare osservazioni") % {"plan": plan},
    )
    return plan


@transaction.atomic
def comment_create(*, plan: Plan, form, user) -> PlanComment:
    if plan.status != Plan.Status.CONSULTATION:
        raise ValidationError(
            _("Le osservazioni si possono inviare solo mentre il piano è in consultazione.")
        )
    comment = form.save(commit=False)
    comment.plan, comment.author = plan, user
    comment.full_clean()
    comment.save()
    record(plan, user, "plans.comment.added", obj=comment)
    return comment


def _snapshot(plan: Plan) -> dict:
    from plans import selectors

    budget = selectors.plan_budget(plan)
    return {
        "title": plan.title,
        "period": plan.period,
        "sections": [
            {"title": s.title, "kind": s.kind, "body": s.body} for s in selectors.sections_of(plan)
        ],
        "interventions": [
            {
                "code": i.code,
                "title": i.title,
                "area": i.area.name,
                "objective": i.objective,
                "total": str(i.total or 0),
            }
            for i in selectors.interventions_summary(plan)
        ],
        "budget": {
            "years": budget.years,
            "sources": [
                {
                    "source": r.source.name,
                    "available": [str(c.available) for c in r.cells],
                    "allocated": [str(c.allocated) for c in r.cells],
                }
                for r in budget.rows
            ],
            "areas": [
                {"area": a.area.name, "amounts": [str(x) for x in a.amounts], "total": str(a.total)}
                for a in budget.areas
            ],
            "total_available": str(budget.total.available),
            "total_allocated": str(budget.total.allocated),
        },
    }


@transaction.atomic
def plan_approve(*, plan: Plan, act_number: str, act_date: date, user) -> PlanVersion:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != Plan.Status.CONSULTATION:
        raise ValidationError(
            _("Si approva un piano dopo la consultazione: mettilo prima in consultazione.")
        )
    if act_date > timezone.localdate():
        raise ValidationError({"act_date": _("La data della delibera non può essere futura.")})
    plan.status = Plan.Status.APPROVED
    plan.version += 1
    plan.approval_act_number, plan.approval_act_date = act_number.strip(), act_date
    plan.save(
        update_fields=[
            "status",
            "version",
            "approval_act_number",
            "approval_act_date",
            "updated_at",
        ]
    )
    version = PlanVersion.objects.create(
        plan=plan,
        number=plan.version,
        approval_act_number=plan.approval_act_number,
        approval_act_date=act_date,
        approved_by=user,
        snapshot=_snapshot(plan),
    )
    record(
        plan,
        user,
        "plans.plan.approved",
        changes={
            "status": {"before": "consultation", "after": "approved"},
            "act": act_number,
            "version": version.number,
        },
    )
    from plans.tasks import render_plan_pdf

    jobs.start(
        owner=version, kind=PDF_KIND, task=render_plan_pdf, created_by=user, label=str(version)
    )
    _notify_commenters(
        plan,
        user,
        kind="plans.plan.approved",
        title=_("Il %(plan)s è stato approvato dal Comitato dei Sindaci") % {"plan": plan},
    )
    return version


@transaction.atomic
def plan_start_revision(*, plan: Plan, user, reason: str) -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != Plan.Status.APPROVED:
        raise ValidationError(_("Si apre una revisione solo di un piano approvato."))
    if plan.versions.filter(number=plan.version, pdf="").exists():
        # the approved version's PDF is rendered from the plan's rows, which a revision unlocks
        raise ValidationError(
            _(
                "Il PDF della versione approvata è ancora in preparazione: apri la revisione "
                "quando è pronto, così l'atto approvato resta identico."
            )
        )
    plan.status = Plan.Status.DRAFT
    plan.save(update_fields=["status", "updated_at"])
    record(
        plan,
        user,
        "plans.revision.started",
        changes={"status": {"before": "approved", "after": "draft"}},
        reason=reason,
    )
    return plan


def export_owner(plan: Plan) -> Plan | PlanVersion:
    """Whose file an export is: the approved version (kept with it) or the working copy."""
    if plan.status == Plan.Status.APPROVED:
        version = plan.versions.filter(number=plan.version).first()
        if version is not None:
            return version
    return plan


@transaction.atomic
def pdf_export_start(*, plan: Plan, user) -> FileJob:
    """Render the working copy (or, for an approved plan, its current version)."""
    from plans.tasks import render_plan_pdf

    owner = export_owner(plan)
    return jobs.start(
        owner=owner, kind=PDF_KIND, task=render_plan_pdf, created_by=user, label=str(owner)
    )
