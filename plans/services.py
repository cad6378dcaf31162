"""Every change to a plan: one function per use case, transactional, audited."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, jobs
from core.models import FileJob
from core.notifications import notify
from plans.models import (
    FundAvailability,
    FundingSource,
    Intervention,
    Need,
    Plan,
    PlanComment,
    PlanVersion,
    Section,
    Service,
)
from plans.reference import STANDARD_SECTIONS

PDF_KIND = "plan_pdf"


class PlanLocked(ValidationError):
    """An approved plan is read-only: a revision must be opened first."""


def ensure_editable(plan: Plan) -> None:
    if not plan.is_editable:
        raise PlanLocked(
            _(
                "Il piano è approvato (versione %(v)s) e non si può modificare. Per cambiarlo apri una nuova "
                "revisione: la versione approvata resta conservata."
            )
            % {"v": plan.version}
        )


def _record(plan: Plan, user, action: str, obj=None, changes=None, reason: str = "") -> None:
    audit.record(
        actor=user,
        action=action,
        obj=obj or plan,
        changes=changes,
        reason=reason,
        ambito_id=plan.ambito_id,
    )


@transaction.atomic
def plan_create(*, ambito, title: str, start_year: int, end_year: int, created_by) -> Plan:
    plan = Plan(
        ambito=ambito, title=title, start_year=start_year, end_year=end_year, created_by=created_by
    )
    plan.full_clean()
    plan.save()
    Section.objects.bulk_create(
        Section(plan=plan, kind=kind, title=title_, guidance=guidance, order=(i + 1) * 10)
        for i, (kind, title_, guidance) in enumerate(STANDARD_SECTIONS)
    )
    _record(plan, created_by, "plans.plan_created", changes={"period": plan.period, "title": title})
    return plan


@transaction.atomic
def section_update(*, section: Section, title: str, body: str, user) -> Section:
    ensure_editable(section.plan)
    before = audit.snapshot(section, ["title", "body"])
    section.title, section.body = title, body
    section.full_clean()
    section.save()
    _record(
        section.plan,
        user,
        "plans.section_updated",
        obj=section,
        changes=audit.diff(before, audit.snapshot(section, ["title", "body"])),
    )
    return section


@transaction.atomic
def funding_source_create(*, ambito, name: str, kind: str, user) -> FundingSource:
    from django.utils.text import slugify

    base = slugify(name)[:34] or "fonte"
    code, n = base, 1
    while FundingSource.objects.filter(ambito=ambito, code=code).exists():
        n += 1
        code = f"{base}-{n}"
    source = FundingSource(ambito=ambito, code=code, name=name, kind=kind, order=500)
    source.full_clean()
    source.save()
    audit.record(actor=user, action="plans.funding_source_created", obj=source, ambito_id=ambito.pk)
    return source


@transaction.atomic
def funds_save(*, plan: Plan, amounts: dict[tuple[int, int], Decimal | None], user) -> int:
    """Write the fund map cells; an empty or zero cell removes the row. Returns cells changed."""
    ensure_editable(plan)
    existing = {(f.source_id, f.year): f for f in FundAvailability.objects.filter(plan=plan)}
    changes, to_create, to_update, to_delete = {}, [], [], []
    for (source_id, year), amount in amounts.items():
        if not plan.year_in_period(year):
            raise ValidationError(
                _("L'anno %(year)s è fuori dal periodo del piano.") % {"year": year}
            )
        if amount is not None and amount < 0:
            raise ValidationError(_("L'importo non può essere negativo."))
        row = existing.get((source_id, year))
        if not amount:
            if row:
                to_delete.append(row.pk)
                changes[f"{source_id}/{year}"] = {"before": str(row.amount), "after": None}
        elif row is None:
            to_create.append(
                FundAvailability(plan=plan, source_id=source_id, year=year, amount=amount)
            )
            changes[f"{source_id}/{year}"] = {"before": None, "after": str(amount)}
        elif row.amount != amount:
            changes[f"{source_id}/{year}"] = {"before": str(row.amount), "after": str(amount)}
            row.amount = amount
            to_update.append(row)
    FundAvailability.objects.filter(pk__in=to_delete).delete()
    FundAvailability.objects.bulk_create(to_create)
    FundAvailability.objects.bulk_update(to_update, ["amount"])
    if changes:
        _record(plan, user, "plans.funds_updated", changes=changes)
    return len(changes)


@transaction.atomic
def intervention_save(*, plan: Plan, form, indicators, budget, user) -> Intervention:
    """Save an intervention form with its indicator and budget formsets (already valid)."""
    ensure_editable(plan)
    creating = form.instance.pk is None
    intervention = form.save(commit=False)
    intervention.plan = plan
    if creating:
        intervention.order = (
            plan.interventions.order_by("-order").values_list("order", flat=True).first() or 0
        ) + 1
    intervention.full_clean()
    intervention.save()
    form.save_m2m()
    for formset in (indicators, budget):
        formset.instance = intervention
        formset.save()
    _record(
        plan,
        user,
        "plans.intervention_created" if creating else "plans.intervention_updated",
        obj=intervention,
        changes={
            "budget": [
                f"{line.source_id}/{line.year}: {line.amount}"
                for line in intervention.budget_lines.order_by("year", "source_id")
            ]
        },
    )
    return intervention


@transaction.atomic
def intervention_delete(*, intervention: Intervention, user) -> None:
    plan = intervention.plan
    ensure_editable(plan)
    _record(plan, user, "plans.intervention_deleted", obj=intervention)
    intervention.delete()


def _mapping_save(form, *, plan: Plan, user, entity_id: int | None, action: str):
    obj = form.save(commit=False)
    obj.ambito_id = plan.ambito_id
    obj.recorded_by = user
    obj.entity_id = entity_id
    obj.full_clean()
    obj.save()
    form.save_m2m()
    _record(plan, user, action, obj=obj)
    return obj


@transaction.atomic
def need_create(*, plan: Plan, form, user, entity_id: int | None = None) -> Need:
    return _mapping_save(
        form, plan=plan, user=user, entity_id=entity_id, action="plans.need_recorded"
    )


@transaction.atomic
def service_create(*, plan: Plan, form, user, entity_id: int | None = None) -> Service:
    return _mapping_save(
        form, plan=plan, user=user, entity_id=entity_id, action="plans.service_recorded"
    )


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
    _record(
        plan,
        user,
        "plans.consultation_opened",
        changes={"status": {"before": "draft", "after": "consultation"}},
    )
    notify(
        ambito_id=plan.ambito_id,
        users=[u for u in _commenters(plan) if u.pk != user.pk],
        kind="plans.consultation",
        title=_("Il %(plan)s è in consultazione: puoi inviare osservazioni") % {"plan": plan},
        url=plan.get_absolute_url(),
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
    _record(plan, user, "plans.comment_added", obj=comment)
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
    _record(
        plan,
        user,
        "plans.approved",
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
    notify(
        ambito_id=plan.ambito_id,
        users=[u for u in _commenters(plan) if u.pk != user.pk],
        kind="plans.approved",
        title=_("Il %(plan)s è stato approvato dal Comitato dei Sindaci") % {"plan": plan},
        url=plan.get_absolute_url(),
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
    _record(
        plan,
        user,
        "plans.revision_started",
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
