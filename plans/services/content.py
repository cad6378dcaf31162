"""Changes to a plan's content: the plan, its sections, the fund map, interventions, the needs
and services mapping. One function per use case, transactional, audited."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import audit
from plans.models import (
    FundAvailability,
    FundingSource,
    Intervention,
    Need,
    Plan,
    Section,
    Service,
)
from plans.reference import STANDARD_SECTIONS
from plans.services.common import ensure_editable, record


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
    record(plan, created_by, "plans.plan.created", changes={"period": plan.period, "title": title})
    return plan


@transaction.atomic
def section_update(*, section: Section, title: str, body: str, user) -> Section:
    ensure_editable(section.plan)
    before = audit.snapshot(section, ["title", "body"])
    section.title, section.body = title, body
    section.full_clean()
    section.save()
    record(
        section.plan,
        user,
        "plans.section.updated",
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
    audit.record(actor=user, action="plans.funding_source.created", obj=source, ambito_id=ambito.pk)
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
        record(plan, user, "plans.funds.updated", changes=changes)
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
    record(
        plan,
        user,
        "plans.intervention.created" if creating else "plans.intervention.updated",
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
    record(plan, user, "plans.intervention.deleted", obj=intervention)
    intervention.delete()


def _mapping_save(form, *, plan: Plan, user, entity_id: int | None, action: str):
    obj = form.save(commit=False)
    obj.ambito_id = plan.ambito_id
    obj.recorded_by = user
    obj.entity_id = entity_id
    obj.full_clean()
    obj.save()
    form.save_m2m()
    record(plan, user, action, obj=obj)
    return obj


@transaction.atomic
def need_create(*, plan: Plan, form, user, entity_id: int | None = None) -> Need:
    return _mapping_save(
        form, plan=plan, user=user, entity_id=entity_id, action="plans.need.recorded"
    )


@transaction.atomic
def service_create(*, plan: Plan, form, user, entity_id: int | None = None) -> Service:
    return _mapping_save(
        form, plan=plan, user=user, entity_id=entity_id, action="plans.service.recorded"
    )
